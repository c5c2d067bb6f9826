"""The `postgres_only` marker: such a test needs PostgreSQL's concurrency (row locks, real parallel
writers). On a SQLite run it is skipped, saying why — the CI's PostgreSQL run covers it. When the
run is on PostgreSQL and the server cannot be reached, the test errors like any other: an
unreachable database is never a skip (under CI=true or not)."""

from __future__ import annotations

import pytest
from django.db import connection


def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.get_closest_marker("postgres_only") is None:
        return
    if connection.vendor != "postgresql":
        pytest.skip(
            f"needs PostgreSQL (this run uses {connection.vendor}); "
            "run with DATABASE_URL=postgres://... — CI's PostgreSQL pass runs it"
        )
