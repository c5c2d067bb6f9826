"""Fill a dedicated PostgreSQL database with the demo province and N dossiers (default 1,000,000).

    .venv/bin/python bench/dossiers/generate.py [--count 1000000] [--url postgres://postgres@127.0.0.1/sen_bench]
    .venv/bin/python bench/dossiers/generate.py --drop          # drop the benchmark database and stop

What it does, in order (each step timed):
1. drops and re-creates the database named in --url (never any other one);
2. `manage.py migrate` + `manage.py demo` with DATABASE_URL set (the demo's units, people, 7 procedures);
3. the bench-only table `bench_row` (the bare single-row-insert endpoint writes there);
4. N dossiers with one INSERT … SELECT generate_series per chunk: spread over the demo's seven receiving
   units (Phường Cao Lãnh, the benchmark officer's unit, gets 40 %), the seven procedures, the ten states
   (70 % returned, 5 % processed, 8 % processing, 4 % received, 3 % submitted, ...) with dates that fit the
   state (closed ones over the last two years, open ones over the last 45 days, so some are late), the
   receiver, current workflow step and assignee that the work queue reads, and one hand-over row per
   dossier that has a current step (the latest hand-over: giver = receiver, receiver = assignee);
5. VACUUM ANALYZE.

Codes are `{unit code}-{yymmdd}-B{7 digits}`: they cannot collide with the real sequence
(`-NNNN`) that submissions during the benchmark take from DossierCounter.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_URL = "postgres://postgres@127.0.0.1/sen_bench"
CHUNK = 100_000
# Receiving units of the demo (unit code, share of dossiers). The benchmark officer works at the first.
UNIT_SHARES = (
    ("000.14.30.H20", 0.40),  # Phường Cao Lãnh
    ("000.02.30.H20", 0.10),  # Phường Mỹ Tho
    ("000.17.30.H20", 0.10),  # Phường Sa Đéc
    ("000.58.31.H20", 0.10),  # Xã Tháp Mười
    ("000.00.03.H20", 0.10),  # Sở Tư pháp
    ("000.00.04.H20", 0.10),  # Sở Tài chính
    ("000.00.07.H20", 0.10),  # Sở Xây dựng
)
APPLICANTS = ("082099000001", "082199000002", "082090000003", "1400000001", "1400000002")


def admin_url(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not name.startswith("sen_bench"):
        sys.exit(f"refusing to touch database {name!r}: the benchmark database's name must start with sen_bench")
    return urlunsplit(parts._replace(path="/postgres")), name


def recreate(url: str, *, drop_only: bool = False) -> None:
    admin, name = admin_url(url)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not drop_only:
            conn.execute(f'CREATE DATABASE "{name}"')


def drop(url: str) -> None:
    recreate(url, drop_only=True)
    print(f"dropped {admin_url(url)[1]}")


def manage(url: str, *args: str) -> None:
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "bench.dossiers.settings"}
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)


def fresh_demo(url: str) -> float:
    """Re-create the database and fill it with migrations and the demo; returns when it started."""
    started = time.monotonic()
    recreate(url)
    print(f"database re-created: {time.monotonic() - started:.1f} s", flush=True)
    step = time.monotonic()
    manage(url, "migrate", "-v0")
    manage(url, "demo")
    print(f"migrate + demo: {time.monotonic() - step:.1f} s", flush=True)
    return started


SETUP_SQL = """
CREATE TABLE bench_row (id bigserial PRIMARY KEY, created_at timestamptz NOT NULL, note varchar(64) NOT NULL);
CREATE TEMP TABLE bench_units AS
SELECT u.id AS unit_id, u.code AS ucode, s.lo, s.hi,
  (SELECT g.user_id FROM identity_rolegrant g JOIN identity_role r ON r.id = g.role_id
    WHERE g.unit_id = u.id AND r.code = 'one_stop_officer' ORDER BY g.id LIMIT 1) AS officer,
  (SELECT g.user_id FROM identity_rolegrant g JOIN identity_role r ON r.id = g.role_id
    WHERE g.unit_id = u.id AND r.code = 'specialist' ORDER BY g.id LIMIT 1) AS specialist,
  (SELECT g.user_id FROM identity_rolegrant g JOIN identity_role r ON r.id = g.role_id
    WHERE g.unit_id = u.id AND r.code = 'leader' ORDER BY g.id LIMIT 1) AS leader
FROM core_orgunit u
  JOIN (SELECT * FROM unnest(%(codes)s::text[], %(los)s::float8[], %(his)s::float8[]) AS x(code, lo, hi)) s
  ON s.code = u.code;
CREATE TEMP TABLE bench_versions AS
SELECT row_number() OVER (ORDER BY p.code) AS idx, v.id AS version_id
FROM procedures_procedure p JOIN procedures_procedureversion v ON v.id = p.current_version_id;
CREATE TEMP TABLE bench_steps AS SELECT version_id, "order" AS ord, id FROM procedures_workflowstep;
"""

# One chunk of dossiers: $1 first index, $2 last index, $3 applicant ids.
DOSSIER_SQL = """
WITH s AS (
  SELECT i, random() AS r_unit, random() AS r_state, random() AS r_age, random() AS r_due,
         1 + floor(random() * 7)::int AS pidx
  FROM generate_series(%(first)s::bigint, %(last)s::bigint) AS i
), t AS (
  SELECT s.*, u.unit_id, u.ucode, u.officer, u.specialist, u.leader, v.version_id,
    CASE WHEN r_state < 0.70 THEN '10' WHEN r_state < 0.75 THEN '9' WHEN r_state < 0.83 THEN '4'
         WHEN r_state < 0.87 THEN '2' WHEN r_state < 0.90 THEN '1' WHEN r_state < 0.92 THEN '5'
         WHEN r_state < 0.94 THEN '3' WHEN r_state < 0.95 THEN '8' WHEN r_state < 0.96 THEN '6'
         WHEN r_state < 0.965 THEN '7' ELSE '10' END AS state
  FROM s JOIN bench_units u ON s.r_unit >= u.lo AND s.r_unit < u.hi
         JOIN bench_versions v ON v.idx = s.pidx
), d AS (
  SELECT t.*,
    CASE WHEN state IN ('10', '9', '3', '8') THEN now() - interval '20 days' - r_age * interval '710 days'
         ELSE now() - r_age * interval '45 days' END AS sub,
    CASE state WHEN '2' THEN 1 WHEN '4' THEN 2 + (i %% 2)::int WHEN '5' THEN 2 WHEN '6' THEN 3 WHEN '7' THEN 2
               WHEN '9' THEN 4 WHEN '10' THEN 4 WHEN '8' THEN 2 ELSE NULL END AS ord
  FROM t
), e AS (
  SELECT d.*,
    CASE WHEN state IN ('1', '3') THEN NULL ELSE sub + r_due * interval '2 days' END AS rec,
    (3 + floor(r_due * 18)::int) * interval '1 day' AS span
  FROM d
)
INSERT INTO dossiers_dossier (
  code, procedure_version_id, unit_id, applicant_id, applicant_address, channel, postal_tracking_no, form_data, state,
  submitted_at, received_at, receiver_id, due_at, effective_due_at, paused_minutes, supplement_count,
  late_by_rule, current_step_id, assignee_id, approved_at, processed_at, returned_at, ended_at,
  created_at, updated_at)
SELECT
  ucode || '-' || to_char(sub AT TIME ZONE 'Asia/Ho_Chi_Minh', 'YYMMDD') || '-B' || lpad(i::text, 7, '0'),
  version_id, unit_id, (%(applicants)s::bigint[])[1 + (i %% 5)::int], '',
  CASE WHEN i %% 10 < 8 THEN 'online' WHEN i %% 10 = 8 THEN 'counter' ELSE 'postal' END,
  CASE WHEN i %% 10 = 9 THEN 'EB' || lpad(i::text, 9, '0') || 'VN' ELSE '' END,
  jsonb_build_object('ho_ten', 'Người nộp thử ' || i, 'ghi_chu', 'dữ liệu benchmark'),
  state, sub, rec, CASE WHEN rec IS NULL THEN NULL ELSE officer END,
  rec + span,
  rec + span + CASE WHEN state = '5' THEN interval '1 day' ELSE interval '0' END,
  CASE WHEN state = '5' THEN 480 ELSE 0 END,
  CASE WHEN state = '5' THEN 1 ELSE 0 END,
  false,
  (SELECT st.id FROM bench_steps st WHERE st.version_id = e.version_id AND st.ord = e.ord),
  CASE ord WHEN 1 THEN officer WHEN 2 THEN specialist WHEN 3 THEN leader WHEN 4 THEN officer END,
  CASE WHEN state IN ('9', '10') THEN rec + span * (0.5 + r_age * 0.7) END,
  CASE WHEN state IN ('9', '10') THEN rec + span * (0.5 + r_age * 0.7) END,
  CASE WHEN state = '10' THEN rec + span * (0.5 + r_age * 0.7) + interval '1 day' END,
  CASE WHEN state = '3' THEN sub + interval '1 day' WHEN state = '8' THEN rec + span * 0.5 END,
  sub, coalesce(rec, sub)
FROM e
"""

HANDOVER_SQL = """
INSERT INTO dossiers_handover (dossier_id, step_id, giver_id, receiver_id, at, step_due_at)
SELECT id, current_step_id, receiver_id, assignee_id, coalesce(received_at, submitted_at), effective_due_at
FROM dossiers_dossier
WHERE id > %(after)s AND current_step_id IS NOT NULL AND assignee_id IS NOT NULL
"""


def generate(url: str, count: int) -> None:
    started = fresh_demo(url)
    los, his, acc = [], [], 0.0
    for _, share in UNIT_SHARES:
        los.append(acc)
        acc += share
        his.append(acc)
    his[-1] = 1.01  # random() < 1 always lands somewhere
    with psycopg.connect(url, autocommit=True) as conn:
        params = {"codes": [code for code, _ in UNIT_SHARES], "los": los, "his": his}
        for statement in filter(str.strip, SETUP_SQL.split(";")):
            conn.execute(statement, params if "%(" in statement else None)
        units = conn.execute("SELECT count(*) FROM bench_units WHERE officer IS NOT NULL").fetchone()
        if not units or units[0] != len(UNIT_SHARES):
            sys.exit("the demo's receiving units or their one-stop officers were not found")
        ids = [
            row[0]
            for row in conn.execute(
                "SELECT id FROM identity_user WHERE username = ANY(%s) ORDER BY username", [list(APPLICANTS)]
            )
        ]
        before = conn.execute("SELECT coalesce(max(id), 0) FROM dossiers_dossier").fetchone()
        after = before[0] if before else 0
        step = time.monotonic()
        for first in range(1, count + 1, CHUNK):
            last = min(first + CHUNK - 1, count)
            conn.execute(DOSSIER_SQL, {"first": first, "last": last, "applicants": ids})
            print(f"  dossiers {last:>9,}: {time.monotonic() - step:.1f} s", flush=True)
        print(f"dossiers: {time.monotonic() - step:.1f} s", flush=True)
        step = time.monotonic()
        conn.execute(HANDOVER_SQL, {"after": after})
        print(f"hand-overs: {time.monotonic() - step:.1f} s", flush=True)
        step = time.monotonic()
        conn.execute("VACUUM ANALYZE")
        print(f"VACUUM ANALYZE: {time.monotonic() - step:.1f} s", flush=True)
        rows = conn.execute(
            "SELECT state, count(*) FROM dossiers_dossier GROUP BY state ORDER BY state::int"
        ).fetchall()
        print("dossiers by state: " + ", ".join(f"{state}: {n:,}" for state, n in rows))
        total = conn.execute("SELECT count(*) FROM dossiers_dossier").fetchone()
        handovers = conn.execute("SELECT count(*) FROM dossiers_handover").fetchone()
        size = conn.execute("SELECT pg_size_pretty(pg_database_size(current_database()))").fetchone()
        print(
            f"total: {total[0] if total else 0:,} dossiers, {handovers[0] if handovers else 0:,} hand-overs, "
            f"database {size[0] if size else '?'}"
        )
    print(f"generation took {time.monotonic() - started:.1f} s in all", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", default=os.environ.get("SEN_BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--count", type=int, default=1_000_000)
    parser.add_argument("--drop", action="store_true", help="drop the benchmark database and stop")
    args = parser.parse_args()
    if args.drop:
        drop(args.url)
        return
    generate(args.url, args.count)


if __name__ == "__main__":
    main()
