"""Bench-only settings: Sen's own settings plus the two bare endpoints (bench/dossiers/urls.py)."""

from __future__ import annotations

import os
from pathlib import Path

os.environ.setdefault("SECRET_KEY", "bench-only-not-secret")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1/sen_bench")

from config.settings.base import *  # noqa: F403
from config.settings.base import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "bench.dossiers"]
ROOT_URLCONF = "bench.dossiers.urls"
_BENCH_VAR = Path(os.environ.get("SEN_BENCH_VAR_DIR", "/tmp/sen_bench"))
MEDIA_ROOT = _BENCH_VAR / "media"
EMAIL_FILE_PATH = _BENCH_VAR / "mail"
