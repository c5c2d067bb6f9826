"""The RSA key Sen signs its OpenID Connect ID tokens with. Made at run time, never committed:
from OIDC_RSA_PRIVATE_KEY (production: every app server gets the same key), else var/oidc_rsa.pem,
created on first start (var/ is ignored by git)."""

from __future__ import annotations

import contextlib
import os

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.conf import settings


def _generate_pem() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def signing_key_pem() -> str:
    if pem := os.environ.get("OIDC_RSA_PRIVATE_KEY"):
        return pem
    path = settings.VAR_DIR / "oidc_rsa.pem"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        # Written to a private temporary file (mode 0600 from the start), then linked into place, so
        # concurrent first starts (several workers) all end up reading the one key that won.
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "w") as handle:
                handle.write(_generate_pem())
            with contextlib.suppress(FileExistsError):  # another process won: use its key
                os.link(tmp, path)
        finally:
            tmp.unlink()
    return path.read_text()


def install_signing_key() -> None:
    """Called from IdentityConfig.ready(): django-oauth-toolkit reads the key from its settings."""
    if not settings.OAUTH2_PROVIDER.get("OIDC_RSA_PRIVATE_KEY"):
        settings.OAUTH2_PROVIDER["OIDC_RSA_PRIVATE_KEY"] = signing_key_pem()
