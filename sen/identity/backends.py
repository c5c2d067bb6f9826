"""Login by official e-mail (staff, case-insensitive), 12-digit CCCD (citizens) or tax code
(businesses), with lockout after repeated failures (sen.identity.services.login_authenticate)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from sen.identity import services
from sen.identity.models import User


class SenLoginBackend(ModelBackend):
    """`authenticate()` returns the user, or None for a wrong login/password. A locked account raises
    Django's PermissionDenied, which stops the other backends; the login form then asks
    `services.login_locked_until()` to tell the person when to try again."""

    def authenticate(
        self, request: HttpRequest | None, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> User | None:
        if username is None:
            username = kwargs.get(User.USERNAME_FIELD)
        if not username or password is None:
            return None
        try:
            return services.login_authenticate(login=username, password=password)
        except services.AccountLocked as exc:
            raise PermissionDenied(exc.message) from exc
        except services.LoginFailed:
            return None
