"""API authentication: an OAuth2 bearer token issued by Sen's own provider, or the session cookie
(with the CSRF header for writes).

Bearer tokens. An access token from Sen's provider (django-oauth-toolkit) is accepted when it is
known, not expired, belongs to an active person, and carries the scope "api". "openid" alone is not
enough: a relying party that only logs people in gets a token for the userinfo endpoint, and must
ask for "api" (shown on the consent page as "Gọi API của Sen") to act on the person's behalf.
An unknown, expired or revoked token → 401 {"code": "not_authenticated"}; a valid token without the
"api" scope → 403 {"code": "insufficient_scope"}. A request that sends a bearer token is judged by
that token alone: it never falls back to a session cookie sent beside it.

The bearer class comes first in `api_auth`: ninja tries the classes in order, and its SessionAuth
checks CSRF on writes before looking at the session, so a cookie-less bearer POST would otherwise be
refused for want of a CSRF token.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.security import HttpBearer, SessionAuth
from oauth2_provider.oauth2_backends import get_oauthlib_core

from sen.core.exceptions import NotAuthenticated, PermissionDenied

API_SCOPE = "api"


class OAuth2BearerAuth(HttpBearer):
    """`Authorization: Bearer <access token>` issued by Sen's OpenID Connect provider."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        valid, oauth_request = get_oauthlib_core().verify_request(request, scopes=[])
        user = getattr(oauth_request, "user", None) if valid else None
        if user is None or not user.is_active:
            raise NotAuthenticated(_("Mã truy cập không hợp lệ hoặc đã hết hạn."))
        if API_SCOPE not in (oauth_request.scopes or []):
            raise PermissionDenied(
                _("Mã truy cập này không được cấp quyền gọi API (cần phạm vi “api”)."), code="insufficient_scope"
            )
        # Handlers read request.user, as they do for a session.
        request.user = user
        return user


api_auth = [OAuth2BearerAuth(), SessionAuth()]
