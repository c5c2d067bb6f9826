from __future__ import annotations

import pytest

from sen.dossiers.tests.factories import publish_version
from sen.identity.tests.factories import StaffFactory


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    """Uploaded files go to a fresh directory per test (and are counted there)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def version(db):
    return publish_version()


@pytest.fixture
def all_roles(unit):
    """One person holding every one-stop role on `unit` (for driving the state machine)."""
    return StaffFactory(
        full_name="Bùi Văn Đa Năng",
        unit=unit,
        position="Chuyên viên",
        roles=["one_stop_officer", "specialist", "leader"],
    )


@pytest.fixture
def unit_certificate(settings, tmp_path, unit):
    """An organisation certificate for `unit` (a test PKI under a temporary VAR_DIR): completing a
    dossier signs its e-result with it."""
    from sen.signing import services as signing

    settings.VAR_DIR = tmp_path
    return signing.certificate_issue(actor=None, unit=unit)
