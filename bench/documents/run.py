"""Document search benchmark: the latency of Sen's search over the documents generate.py wrote.

    .venv/bin/python bench/documents/run.py [--rounds 20] [--explain explain.txt] [--json-out raw.json]

Three people of Sở Tư pháp search, each with what they may see (policies.outgoing_scope / incoming_scope):
its clerk, its leader and a specialist. Every query below runs for each of them, in rounds, interleaved:

1. in-process: `selectors.outgoing_page(actor, q=…)` and `incoming_page` (what the page and the API call):
   the SQL of the search plus the ORM building the rows of the first page;
2. over HTTP against gunicorn (1 sync worker, DEBUG off, a real login per person): the JSON API
   `GET /api/v1/documents/outgoing?q=…`, the documents page `GET /documents/?view=outgoing&box=all&q=…`,
   and the request the page makes once shown for its tabs' counts, `GET /documents/counts/?…` (every tab
   of the person's scope, whatever the query).

Each cell is measured once per round after one warm-up round; p50 and p95 per cell, and over all cells.
The number of matches in the person's scope is counted once per query (not timed) so that each query's
selectivity is on the table.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

DEFAULT_URL = "postgres://postgres@127.0.0.1/sen_bench_documents"
PEOPLE = (
    ("clerk", "dung.pt@dongthap.gov.vn"),
    ("leader", "an.nv@dongthap.gov.vn"),
    ("specialist", "bich.tt@dongthap.gov.vn"),
)
# What people type: accented and not, frequent and rare words, a number with its ký hiệu, a person's
# name, words shorter than a trigram, nothing that matches. "{reference}" is filled at run time with a
# real number of Sở Tư pháp's register.
QUERIES = (
    "Quyết định",
    "quyet dinh",
    "Tháp Mười",
    "đăng ký khai sinh",
    "bảo hiểm",
    "{reference}",
    "Nguyễn Văn An",
    "quý 4 năm 2025",
    "trực tuyến toàn trình",
    "hải quan xăng dầu",
    "không tìm thấy gì xyzw",
)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def summary(values: list[float]) -> str:
    return f"{statistics.median(values):7.1f} | {percentile(values, 0.95):7.1f} | {max(values):7.1f}"


def machine_speed() -> float:
    """Milliseconds a fixed pure-Python loop takes (the best of three): this VM's speed moves by half
    between runs, so each run prints it at its start and end, to compare runs by."""
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        total = 0
        for number in range(5_000_000):
            total += number
        best = min(best, (time.perf_counter() - started) * 1000)
    return best


def timed(page: Any, actor: Any, q: str) -> float:
    """Milliseconds to build the first page of a list (its SQL and the rows) for `q`."""
    started = time.perf_counter()
    rows = page(actor, q=q)
    elapsed = (time.perf_counter() - started) * 1000
    assert isinstance(rows, list)
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", default=os.environ.get("SEN_BENCH_DOCUMENTS_URL", DEFAULT_URL))
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--explain", type=Path, default=None, help="write EXPLAIN ANALYZE of the clerk's searches")
    parser.add_argument("--json-out", type=Path, default=None, help="write every timing here")
    parser.add_argument("--skip-http", action="store_true")
    args = parser.parse_args()

    from bench.documents.generate import admin_url, setup_django

    admin_url(args.url)
    setup_django(args.url)
    import requests
    from django.db import connection

    from bench.dossiers.run import gunicorn, login
    from sen.documents import selectors
    from sen.documents.models import IncomingDocument, OutgoingDocument
    from sen.identity.models import User

    started = dt.datetime.now(dt.UTC)
    speed_before = machine_speed()
    reference = (
        OutgoingDocument.objects.filter(organisation__name="Sở Tư pháp", doc_type="QĐ", year=2025, number__gte=500)
        .order_by("number")
        .values_list("reference", flat=True)
        .first()
    )
    queries = [q.replace("{reference}", reference or "05/QĐ-STP") for q in QUERIES]
    people = {role: User.objects.get(username=username) for role, username in PEOPLE}
    totals = (OutgoingDocument.objects.count(), IncomingDocument.objects.count())
    print(f"{totals[0]:,} outgoing and {totals[1]:,} incoming documents; {args.rounds} rounds after one warm-up")

    matches: dict[tuple[str, str, str], int] = {}
    for role, actor in people.items():
        for q in queries:
            matches[(role, "outgoing", q)] = selectors.outgoing_for(actor, q=q).count()
            matches[(role, "incoming", q)] = selectors.incoming_for(actor, q=q).count()

    timings: dict[tuple[str, str, str], list[float]] = defaultdict(list)
    for number in range(args.rounds + 1):
        for role, actor in people.items():
            for q in queries:
                outgoing = timed(selectors.outgoing_page, actor, q)
                incoming = timed(selectors.incoming_page, actor, q)
                if number:  # round 0 warms the caches
                    timings[("selector outgoing", role, q)].append(outgoing)
                    timings[("selector incoming", role, q)].append(incoming)
        print(f"in-process round {number}/{args.rounds} done", flush=True)

    if args.explain:
        lines = []
        with connection.cursor() as cursor:
            for q in queries:
                page = selectors.outgoing_for(people["clerk"], q=q)[: selectors.PAGE_SIZE]
                sql, params = page.query.sql_with_params()
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
                lines += [f"-- clerk, outgoing, q={q!r}", *(row[0] for row in cursor.fetchall()), ""]
        args.explain.write_text("\n".join(lines))
        print(f"plans written to {args.explain} (the whole-table query, without the windows)")
    connection.close()

    if not args.skip_http:
        with gunicorn(args.url, workers=1) as base:
            sessions = {}
            for role, username in PEOPLE:
                session = requests.Session()
                session.headers["Cookie"] = login(base, username)[0]
                sessions[role] = session
            for number in range(args.rounds + 1):
                for role, session in sessions.items():
                    for q in queries:
                        for target, path, params in (
                            ("API outgoing", "/api/v1/documents/outgoing", {"q": q}),
                            ("page outgoing", "/documents/", {"view": "outgoing", "box": "all", "q": q}),
                            ("page tab counts", "/documents/counts/", {"view": "outgoing", "box": "all", "q": q}),
                        ):
                            began = time.perf_counter()
                            response = session.get(base + path, params=params, timeout=60)
                            elapsed = (time.perf_counter() - began) * 1000
                            if response.status_code != 200:
                                sys.exit(f"{target} {q!r} as {role}: HTTP {response.status_code}")
                            if number:
                                timings[(target, role, q)].append(elapsed)
                print(f"HTTP round {number}/{args.rounds} done", flush=True)

    load = os.getloadavg()
    speed_after = machine_speed()
    print()
    print(
        f"run started {started:%Y-%m-%d %H:%M} UTC; {os.cpu_count()} CPUs; load average after: "
        f"{load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; machine speed (a fixed loop, lower is faster): "
        f"{speed_before:.0f} ms at the start, {speed_after:.0f} ms at the end"
    )
    targets = sorted({target for target, _, _ in timings}, key=lambda t: ("selector" not in t, t))
    print()
    print("| target | p50 ms | p95 ms | max ms | cells over 100 ms at p95 |")
    print("|---|---:|---:|---:|---:|")
    for target in targets:
        pooled = [value for (t, _, _), values in timings.items() if t == target for value in values]
        over = sum(1 for (t, _, _), values in timings.items() if t == target and percentile(values, 0.95) > 100)
        cells = sum(1 for (t, _, _) in timings if t == target)
        print(f"| {target} | {summary(pooled)} | {over} of {cells} |")
    for target in targets:
        print()
        print(f"### {target}")
        print("| person | query | matches in scope | p50 ms | p95 ms | max ms |")
        print("|---|---|---:|---:|---:|---:|")
        direction = "incoming" if "incoming" in target else "outgoing"
        for (t, role, q), values in timings.items():
            if t == target:
                print(f"| {role} | {q} | {matches[(role, direction, q)]:,} | {summary(values)} |")
    if args.json_out:
        args.json_out.write_text(
            json.dumps(
                {"started": started.isoformat(), "timings": [[*key, values] for key, values in timings.items()]},
                ensure_ascii=False,
                indent=1,
            )
        )


if __name__ == "__main__":
    main()
