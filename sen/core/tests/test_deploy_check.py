"""`manage.py check --deploy` with the production settings, run as an operator would run it."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys

from django.conf import settings


def run_deploy_check(tmp_path, **extra_env: str) -> subprocess.CompletedProcess[str]:
    env = {
        **{name: value for name, value in os.environ.items() if not name.startswith(("DJANGO_", "SECURE_"))},
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(50),  # 67 random characters
        "ALLOWED_HOSTS": "sen.example.vn",
        "SEN_VAR_DIR": str(tmp_path),  # keep the run's generated files out of the checkout
        **extra_env,
    }
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_production_settings_pass_the_deploy_check(tmp_path):
    result = run_deploy_check(tmp_path)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_the_deploy_check_fails_when_a_production_safeguard_is_turned_off(tmp_path):
    # SECURE_SSL_REDIRECT=false is allowed by the settings (a proxy may redirect instead), and Django
    # warns about it: this proves the check above runs the deploy checks at WARNING level.
    result = run_deploy_check(tmp_path, SECURE_SSL_REDIRECT="false")

    assert result.returncode != 0
    assert "security.W008" in result.stdout + result.stderr
