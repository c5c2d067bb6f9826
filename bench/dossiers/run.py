"""Dossier benchmark runner: one gunicorn (2 sync workers, WSGI) on loopback against the database that
generate.py filled, and `wrk` (2 threads; 8 connections, 2 for the work queue) against five targets,
interleaved in rounds:

    json      GET  /bench/json               bare Django JSON view, no database ({"ok": true})
    insert    POST /bench/insert             bare view inserting one row through the ORM (bench_row)
    submit    POST /api/v1/dossiers          online submission: citizen session + X-CSRFToken, a unique
                                             Idempotency-Key per request, a 1 KB PDF, birth registration
    queue     GET  /dossiers/work/           one-stop officer of Phường Cao Lãnh, default tab ("mine")
    late      GET  /dossiers/work/?tab=late  the same officer, "Quá hạn"

    .venv/bin/python bench/dossiers/run.py [--rounds 3] [--seconds 10] [--connections 8]

Each wrk thread logs in once (its own session; citizens for submit, the officer for queue/late) and
reuses the session cookie. Everything stops by itself: wrk runs --seconds per target per round, and
gunicorn is stopped at the end (also on error).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg
import requests

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_URL = "postgres://postgres@127.0.0.1/sen_bench"
PASSWORD = os.environ.get("SEN_DEMO_PASSWORD") or "sen-demo-2026"
CITIZENS = ("082099000001", "082199000002", "082090000003")
OFFICER = "son.mv@dongthap.gov.vn"  # one-stop officer, Phường Cao Lãnh (40 % of the generated dossiers)
UNIT_CODE = "000.14.30.H20"
PROCEDURE = "1.001193"  # birth registration, full online
FORM_DATA = {
    "ho_ten_tre": "Nguyễn Văn An",
    "ngay_sinh": "2026-11-01",
    "gioi_tinh": "nam",
    "noi_sinh": {"detail": "Bệnh viện Đa khoa Đồng Tháp", "commune": "Phường Cao Lãnh", "province": "Tỉnh Đồng Tháp"},
    "ho_ten_me": "Trần Thị Bích",
    "cccd_me": "082199000002",
    "nguoi_yeu_cau": "Trần Thị Bích",
    "cccd_nguoi_yeu_cau": "082199000002",
    "noi_cu_tru": {"detail": "Số 1 đường Lý Thường Kiệt", "commune": "Phường Cao Lãnh", "province": "Tỉnh Đồng Tháp"},
}
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    + b"% benchmark padding\n" * 40
    + b"trailer<</Root 1 0 R>>\n%%EOF\n"
)

LUA_COMMON = r"""
local counter = 1
function setup(thread)
  thread:set("tid", counter)
  thread:set("cookie", COOKIES[((counter - 1) % #COOKIES) + 1])
  thread:set("csrf", CSRFS[((counter - 1) % #CSRFS) + 1])
  counter = counter + 1
end
function done(summary, latency, requests)
  io.write(string.format(
    'WRKJSON {"requests": %d, "duration_us": %d, "status_errors": %d, "socket_errors": %d, ' ..
    '"p50_us": %d, "p95_us": %d, "p99_us": %d, "mean_us": %.1f, "max_us": %d}\n',
    summary.requests, summary.duration, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.mean, latency.max))
end
"""

LUA_GET = r"""
function request()
  local headers = {}
  if cookie ~= "" then headers["Cookie"] = cookie end
  return wrk.format("GET", TARGET, headers, nil)
end
"""

LUA_POST_EMPTY = r"""
function request()
  return wrk.format("POST", TARGET, {["Content-Type"] = "application/json"}, "{}")
end
"""

LUA_SUBMIT = r"""
local n = 0
function init(args)
  nonce = args[1] or ""
end
function request()
  n = n + 1
  local headers = {
    ["Cookie"] = cookie,
    ["X-CSRFToken"] = csrf,
    ["Content-Type"] = "multipart/form-data; boundary=" .. BOUNDARY,
    ["Idempotency-Key"] = RUN .. "-" .. nonce .. "-" .. tid .. "-" .. n,
  }
  return wrk.format("POST", TARGET, headers, BODY)
end
"""


def lua_string(value: str | bytes) -> str:
    data = value.encode() if isinstance(value, str) else value
    return '"' + "".join(f"\\{byte:03d}" for byte in data) + '"'


def lua_list(values: list[str]) -> str:
    return "{" + ", ".join(lua_string(v) for v in values) + "}"


def required_component(base: str) -> int:
    """The id of the procedure's required component (the birth certificate): the PDF is attached to it."""
    body = requests.get(f"{base}/api/v1/procedures/{PROCEDURE}", timeout=30).json()
    return next(component["id"] for component in body["components"] if component["required"])


COMPONENT: dict[str, int] = {}  # filled by main() from the running server


def multipart(boundary: str) -> bytes:
    parts = []
    for name, value in (
        ("procedure_code", PROCEDURE),
        ("unit_code", UNIT_CODE),
        ("form_data", json.dumps(FORM_DATA, ensure_ascii=False)),
        ("file_components", json.dumps([COMPONENT["id"]])),
    ):
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="to-khai.pdf"\r\n'
        f"Content-Type: application/pdf\r\n\r\n".encode()
        + PDF
        + b"\r\n"
    )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def login(base: str, username: str) -> tuple[str, str]:
    """A real login through the login page; returns (Cookie header, CSRF token)."""
    session = requests.Session()
    session.get(f"{base}/accounts/login/", timeout=30).raise_for_status()
    response = session.post(
        f"{base}/accounts/login/",
        data={"username": username, "password": PASSWORD, "csrfmiddlewaretoken": session.cookies["csrftoken"]},
        headers={"Referer": f"{base}/accounts/login/"},
        allow_redirects=False,
        timeout=30,
    )
    if response.status_code != 302 or "sessionid" not in session.cookies:
        sys.exit(f"login failed for {username}: HTTP {response.status_code}")
    cookies = session.cookies.get_dict()
    return f"sessionid={cookies['sessionid']}; csrftoken={cookies['csrftoken']}", cookies["csrftoken"]


@contextlib.contextmanager
def gunicorn(url: str, *, workers: int, settings: str = "bench.dossiers.settings") -> Iterator[str]:
    """Sen under gunicorn (sync workers, DEBUG off) on a free loopback port against `url`; yields the
    base URL once /healthz answers, and stops the server on the way out (also on error)."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": settings, "ALLOWED_HOSTS": "127.0.0.1"}
    command = [
        str(ROOT / ".venv/bin/gunicorn"),
        "config.wsgi:application",
        "--workers",
        str(workers),
        "--worker-class",
        "sync",
        "--bind",
        f"127.0.0.1:{port}",
        "--log-level",
        "info",  # so a shutdown shows up in the output
        "--chdir",
        str(ROOT),
        "--no-control-socket",  # gunicorn 27's default socket path is shared by every gunicorn on the machine
    ]
    server = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)
    try:
        for _ in range(120):
            try:
                if requests.get(f"{base}/healthz", timeout=10).status_code < 500:
                    break
            except requests.RequestException:
                pass
            time.sleep(0.5)
        else:
            sys.exit("gunicorn did not start")
        yield base
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def check(base: str, cookie: str, csrf: str, officer_cookie: str) -> None:
    """One request of each kind before measuring: the benchmark must measure successes."""
    assert requests.get(f"{base}/bench/json", timeout=30).json() == {"ok": True}
    assert requests.post(f"{base}/bench/insert", timeout=30).status_code == 201
    boundary = uuid.uuid4().hex
    response = requests.post(
        f"{base}/api/v1/dossiers",
        data=multipart(boundary),
        headers={
            "Cookie": cookie,
            "X-CSRFToken": csrf,
            "Content-Type": f"multipart/form-data; boundary={boundary}",
            "Idempotency-Key": f"check-{uuid.uuid4().hex}",
        },
        timeout=60,
    )
    if response.status_code != 201:
        sys.exit(f"submission check failed: HTTP {response.status_code} {response.text[:500]}")
    for query in ("", "?tab=late"):
        page = requests.get(f"{base}/dossiers/work/{query}", headers={"Cookie": officer_cookie}, timeout=60)
        if page.status_code != 200 or "Quá hạn" not in page.text:
            sys.exit(f"work queue check failed: HTTP {page.status_code}")


def settle(base: str) -> None:
    """Wait until both workers are idle: after wrk stops, gunicorn still finishes the requests in
    flight (a work-queue page takes seconds), which would land in the next target's figures."""
    time.sleep(1)
    while True:
        started = time.monotonic()
        with ThreadPoolExecutor(2) as pool:
            list(pool.map(lambda _: requests.get(f"{base}/bench/json", timeout=60), range(2)))
        if time.monotonic() - started < 0.05:
            return
        time.sleep(0.5)


def wrk(script: Path, url: str, *, seconds: int, connections: int) -> dict[str, float]:
    out = subprocess.run(
        [
            "wrk",
            "-t2",
            f"-c{connections}",
            f"-d{seconds}s",
            "--timeout",
            "30s",
            "-s",
            str(script),
            url,
            "--",
            uuid.uuid4().hex[:8],
        ],
        capture_output=True,
        text=True,
        timeout=seconds + 60,
        check=True,
    ).stdout
    match = re.search(r"WRKJSON (\{.*\})", out)
    if not match:
        sys.exit(f"wrk gave no summary:\n{out}")
    result = json.loads(match.group(1))
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", default=os.environ.get("SEN_BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=8, help="wrk connections for json, insert, submit")
    parser.add_argument(
        "--queue-connections",
        type=int,
        default=2,
        help="wrk connections for the work-queue pages: one per gunicorn worker, so latency is service time",
    )
    parser.add_argument("--json-out", type=Path, default=None, help="write the raw per-round results here")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("stopped by SIGTERM"))  # so gunicorn is stopped too

    with psycopg.connect(args.url) as conn:
        row = conn.execute("SELECT count(*) FROM dossiers_dossier").fetchone()
        dossiers_before = row[0] if row else 0
        row = conn.execute(
            "SELECT count(*) FROM dossiers_dossier d JOIN core_orgunit u ON u.id = d.unit_id WHERE u.code = %s",
            [UNIT_CODE],
        ).fetchone()
        unit_dossiers = row[0] if row else 0
    results: dict[str, list[dict[str, float]]] = {}
    started = dt.datetime.now(dt.UTC)
    with gunicorn(args.url, workers=2) as base:
        COMPONENT["id"] = required_component(base)
        citizens = [login(base, name) for name in CITIZENS[:2]]
        officers = [login(base, OFFICER) for _ in range(2)]
        check(base, citizens[0][0], citizens[0][1], officers[0][0])
        submit_answers = 1  # the check's submission
        run_id = uuid.uuid4().hex[:12]
        boundary = "senbench" + uuid.uuid4().hex
        with tempfile.TemporaryDirectory() as tmp:
            scripts = {}

            def write(name: str, body: str, path: str, sessions: list[tuple[str, str]]) -> None:
                header = (
                    f"TARGET = {lua_string(path)}\nCOOKIES = {lua_list([c for c, _ in sessions])}\n"
                    f"CSRFS = {lua_list([t for _, t in sessions])}\nRUN = {lua_string(run_id)}\n"
                    f"BOUNDARY = {lua_string(boundary)}\nBODY = {lua_string(multipart(boundary))}\n"
                )
                script = Path(tmp) / f"{name}.lua"
                script.write_text(header + LUA_COMMON + body)
                scripts[name] = (script, path)

            anonymous = [("", "")]
            write("json", LUA_GET, "/bench/json", anonymous)
            write("insert", LUA_POST_EMPTY, "/bench/insert", anonymous)
            write("submit", LUA_SUBMIT, "/api/v1/dossiers", citizens)
            write("queue", LUA_GET, "/dossiers/work/", officers)
            write("late", LUA_GET, "/dossiers/work/?tab=late", officers)
            # Warm-up: each target once, briefly (imports, connections, template compilation).
            queue_targets = ("queue", "late")
            conns = {n: args.queue_connections if n in queue_targets else args.connections for n in scripts}
            for name, (script, path) in scripts.items():
                warm = wrk(script, base + path, seconds=2, connections=conns[name])
                settle(base)
                if name == "submit":
                    submit_answers += int(warm["requests"])
            for number in range(1, args.rounds + 1):
                for name, (script, path) in scripts.items():
                    result = wrk(script, base + path, seconds=args.seconds, connections=conns[name])
                    settle(base)
                    results.setdefault(name, []).append(result)
                    if name == "submit":
                        submit_answers += int(result["requests"])
                    print(
                        f"round {number} {name:>6}: {result['rps']:8.1f} req/s  p50 {result['p50_us'] / 1000:7.1f} ms"
                        f"  p95 {result['p95_us'] / 1000:7.1f} ms  non-2xx {int(result['status_errors'])}"
                        f"  socket errors {int(result['socket_errors'])}",
                        flush=True,
                    )

    with psycopg.connect(args.url) as conn:
        row = conn.execute("SELECT count(*) FROM dossiers_dossier").fetchone()
        dossiers_after = row[0] if row else 0
        row = conn.execute("SELECT count(*) - count(DISTINCT code) FROM dossiers_dossier").fetchone()
        duplicate_codes = row[0] if row else -1
    load = os.getloadavg()
    print()
    print(
        f"run started {started:%Y-%m-%d %H:%M} UTC; {os.cpu_count()} CPUs; load average after: "
        f"{load[0]:.2f} {load[1]:.2f} {load[2]:.2f}"
    )
    print(
        f"dossiers before: {dossiers_before:,} ({unit_dossiers:,} at {UNIT_CODE}); after: {dossiers_after:,}; "
        f"duplicate codes: {duplicate_codes}"
    )
    print(
        f"dossiers created during the run: {dossiers_after - dossiers_before:,}; successful submission answers "
        f"counted by wrk: {submit_answers:,} (wrk does not count requests still in flight when it stops)"
    )
    print(
        f"wrk -t2, -c{args.connections} (json, insert, submit) / -c{args.queue_connections} (queue, late), "
        f"{args.rounds} rounds x {args.seconds} s per target, interleaved; medians over rounds"
    )
    print()
    print("| target | req/s (median of rounds) | req/s per round | p50 ms | p95 ms | p99 ms | non-2xx |")
    print("|---|---:|---|---:|---:|---:|---:|")
    medians = {}
    for name, rounds in results.items():
        rps = statistics.median(r["rps"] for r in rounds)
        medians[name] = rps
        per_round = " / ".join(f"{r['rps']:,.0f}" for r in rounds)
        print(
            f"| {name} | {rps:,.1f} | {per_round} | "
            f"{statistics.median(r['p50_us'] for r in rounds) / 1000:.1f} | "
            f"{statistics.median(r['p95_us'] for r in rounds) / 1000:.1f} | "
            f"{statistics.median(r['p99_us'] for r in rounds) / 1000:.1f} | "
            f"{int(sum(r['status_errors'] for r in rounds))} |"
        )
    if medians.get("insert"):
        print()
        print(
            f"submission / bare insert throughput: {medians['submit'] / medians['insert']:.3f} "
            f"(1 : {medians['insert'] / medians['submit']:.1f})"
        )
        print(f"bare insert / bare JSON throughput: {medians['insert'] / medians['json']:.3f}")
    if args.json_out:
        args.json_out.write_text(json.dumps({"started": started.isoformat(), "results": results}, indent=1))


if __name__ == "__main__":
    main()
