"""Where the time goes: the queries of one online submission and of one work-queue page per tab (in-process,
Django's test client, no HTTP server), against the database generate.py filled.

    .venv/bin/python bench/dossiers/queries.py
"""

from __future__ import annotations

import json
import os
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.dossiers.settings")

import django  # noqa: E402

django.setup()

from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from bench.dossiers.run import FORM_DATA, PDF, PROCEDURE, UNIT_CODE  # noqa: E402
from sen.identity.models import User  # noqa: E402
from sen.procedures.models import Procedure  # noqa: E402

OFFICER = "son.mv@dongthap.gov.vn"
CITIZEN = "082099000001"


def submission() -> None:
    """The queries of one online submission through the API (it creates a dossier)."""
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(User.objects.get(username=CITIZEN))
    version = Procedure.objects.get(code=PROCEDURE).current_version
    component = version.components.filter(required=True).values_list("pk", flat=True).first()
    timings = []
    for n in range(6):
        upload = SimpleUploadedFile("to-khai.pdf", PDF, content_type="application/pdf")
        data = {
            "procedure_code": PROCEDURE,
            "unit_code": UNIT_CODE,
            "form_data": json.dumps(FORM_DATA, ensure_ascii=False),
            "file_components": json.dumps([component]),
            "files": upload,
        }
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.post("/api/v1/dossiers", data, headers={"Idempotency-Key": f"q-{uuid.uuid4().hex}"})
            timings.append(time.perf_counter() - started)
        assert response.status_code == 201, response.content
        if n == 0:
            continue  # warm-up
    timings = sorted(timings[1:])
    sql = sorted(((float(q["time"]) * 1000, q["sql"]) for q in captured.captured_queries), reverse=True)
    print(
        f"POST /api/v1/dossiers {len(captured.captured_queries):>3} queries; median {timings[2] * 1000:7.1f} ms; "
        f"SQL {sum(t for t, _ in sql):7.1f} ms"
    )
    if "-v" in sys.argv:
        for ms, text in sql[:5]:
            print(f"    {ms:6.1f} ms  {text[:300]}")


def main() -> None:
    submission()
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(User.objects.get(username=OFFICER))
    for query in ("", "?tab=late", "?tab=today", "?tab=all", "?tab=all&page=200", "?tab=late&sort=-received"):
        client.get(f"/dossiers/work/{query}")  # warm
        timings = []
        for _ in range(5):
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = client.get(f"/dossiers/work/{query}")
                timings.append(time.perf_counter() - started)
            assert response.status_code == 200, response.status_code
        sql_ms = sorted(float(q["time"]) * 1000 for q in captured.captured_queries)
        timings.sort()
        print(
            f"/dossiers/work/{query or '(mine)':<26} {len(captured.captured_queries):>2} queries; "
            f"page median {timings[2] * 1000:7.1f} ms; SQL {sum(sql_ms):7.1f} ms "
            f"(slowest {sql_ms[-1]:6.1f} ms)"
        )
        slowest = max(captured.captured_queries, key=lambda q: float(q["time"]))
        if "-v" in sys.argv:
            print("    slowest:", slowest["sql"][:600])


if __name__ == "__main__":
    main()
