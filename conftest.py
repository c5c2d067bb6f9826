"""Root fixtures shared by every app's tests: a small tree and one person per kind of actor.

Tree: `province` (root) → `unit` (a department). Staff are posted to `unit` with the role their
name says; `province_admin` is posted to and granted on `province`. Every staff account's password
is `TEST_PASSWORD` (sen.identity.tests.factories)."""

from __future__ import annotations

import importlib

import pytest
from django.conf import settings

from sen.core.i18n_compile import compile_all
from sen.identity.tests.factories import (
    TEST_PASSWORD,
    CitizenFactory,
    OrgUnitFactory,
    StaffFactory,
    province_kind,
)

# The documents world (issuing bodies, drafters, signers), shared by the app's tests and the browser
# tests; the second Sen server on loopback for the document exchange.
pytest_plugins = ["sen.documents.tests.world", "sen.integrations.tests.fixtures"]

# The tests in English need the compiled catalogue: `make` builds it; running pytest alone builds it
# here, before any test loads the catalogues (compile_all skips an up-to-date .mo).
compile_all()


@pytest.fixture(autouse=True)
def _reseed_after_flush(request):
    """A transactional test (live_server, threads) ends by flushing every table, which also removes the
    rows data migrations seeded (the six roles). pytest-django runs transactional tests after the others,
    so re-seeding at the start of each transactional test keeps them independent of their order — more
    robust than serialized_rollback, which breaks under Playwright and when mixed with plain flushes."""
    marker = request.node.get_closest_marker("django_db")
    transactional = "transactional_db" in request.fixturenames or "live_server" in request.fixturenames
    if marker is not None and (marker.kwargs.get("transaction") or (marker.args and marker.args[0])):
        transactional = True
    if not transactional:
        return
    from django.apps import apps

    request.getfixturevalue("transactional_db")
    importlib.import_module("sen.identity.migrations.0002_seed_roles").seed_roles(apps, None)


@pytest.fixture
def english_client():
    """`english_client(user)`: a browser of `user`, who chose English (the language cookie)."""

    def client_for(user):
        from django.test import Client

        client = Client()
        client.force_login(user)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        return client

    return client_for


@pytest.fixture
def password() -> str:
    return TEST_PASSWORD


@pytest.fixture
def province(db):
    return OrgUnitFactory(code="H15", name="Ủy ban nhân dân tỉnh Đồng Tháp", kind=province_kind())


@pytest.fixture
def unit(province):
    return OrgUnitFactory(code="H15.50", name="Sở Tư pháp", parent=province)


@pytest.fixture
def citizen(db):
    return CitizenFactory(full_name="Lê Thị Công Dân")


@pytest.fixture
def officer(unit):
    return StaffFactory(full_name="Phạm Văn Một Cửa", unit=unit, position="Cán bộ một cửa", roles=["one_stop_officer"])


@pytest.fixture
def specialist(unit):
    return StaffFactory(full_name="Võ Thị Chuyên Viên", unit=unit, position="Chuyên viên", roles=["specialist"])


@pytest.fixture
def leader(unit):
    return StaffFactory(full_name="Nguyễn Văn Lãnh Đạo", unit=unit, position="Giám đốc", roles=["leader"])


@pytest.fixture
def clerk(unit):
    return StaffFactory(full_name="Đặng Thị Văn Thư", unit=unit, position="Văn thư", roles=["clerk"])


@pytest.fixture
def unit_admin(unit):
    return StaffFactory(full_name="Huỳnh Văn Quản Trị", unit=unit, position="Chuyên viên CNTT", roles=["unit_admin"])


@pytest.fixture
def province_admin(province):
    return StaffFactory(
        full_name="Trương Thị Quản Trị Tỉnh", unit=province, position="Chuyên viên CNTT", roles=["province_admin"]
    )


def pytest_collection_modifyitems(config, items):
    """`postgres_only` tests (real concurrency) run on PostgreSQL; on SQLite they are skipped — CI's
    second run, with DATABASE_URL pointing at PostgreSQL, runs them (a missing server fails there)."""
    from django.conf import settings

    if getattr(settings, "IS_POSTGRES", False):
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL (DATABASE_URL=postgres://...)")
    for item in items:
        if "postgres_only" in item.keywords:
            item.add_marker(skip)
