from __future__ import annotations

import pytest

from sen.integrations.tests.fixtures import exchange_pair, second_sen_server, sen_server_template  # noqa: F401


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    """Stored packages go to a fresh directory per test."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def no_handlers(monkeypatch):
    """The registry as a test leaves it: handlers a test registers are gone afterwards."""
    from sen.integrations import handlers

    monkeypatch.setattr(handlers, "_handlers", {})
    return handlers
