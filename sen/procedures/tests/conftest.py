import pytest


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    """Form files go to a fresh directory per test."""
    settings.MEDIA_ROOT = tmp_path / "media"
