"""The JSON API's authentication (sen.identity.api_auth): OAuth2 bearer tokens from Sen's provider and
the session cookie with CSRF for writes.

The write checks use a small POST endpoint mounted only for these tests (the API has no write
endpoint of identity's yet), behind the very `api_auth` list config/api.py uses."""

from __future__ import annotations

import datetime as dt
import secrets

import pytest
from django.http import HttpRequest
from django.test import Client
from django.urls import path
from django.utils import timezone
from django.utils.crypto import get_random_string
from ninja import NinjaAPI
from oauth2_provider.models import AccessToken, Application

from config import urls as project_urls
from sen.core.exceptions import SenError
from sen.identity.api_auth import api_auth

# --- a write endpoint behind the project's api_auth, for the CSRF checks --------------------------------
_write_api = NinjaAPI(urls_namespace="api_auth_test", auth=api_auth)


@_write_api.exception_handler(SenError)
def _on_sen_error(request: HttpRequest, exc: SenError):
    return _write_api.create_response(request, {"code": exc.code, "message": exc.message}, status=exc.status)


@_write_api.post("/echo")
def _echo(request: HttpRequest) -> dict[str, str]:
    return {"username": request.user.username}


# the project's own URLs beside it: error pages and the layout reverse them
urlpatterns = [path("api/auth-test/", _write_api.urls), *project_urls.urlpatterns]


def _token(user, *, scope: str = "openid api", expires_in: int = 3600) -> str:
    application = Application.objects.create(
        name="Hệ thống thử",
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris="https://rp.example.gov.vn/cb",
        algorithm=Application.RS256_ALGORITHM,
    )
    value = secrets.token_urlsafe(30)
    AccessToken.objects.create(
        user=user,
        application=application,
        token=value,
        scope=scope,
        expires=timezone.now() + dt.timedelta(seconds=expires_in),
    )
    return value


def _me(client: Client, token: str):
    return client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {token}")


# --- GET /api/v1/me with a bearer token ----------------------------------------------------------------


def test_a_token_with_the_api_scope_is_the_person(client, specialist):
    response = _me(client, _token(specialist))

    assert response.status_code == 200
    assert response.json()["username"] == specialist.username
    assert response.json()["unit"]["code"] == "H15.50"


@pytest.mark.parametrize(
    ("token_of", "status", "code"),
    [
        ("garbage", 401, "not_authenticated"),
        ("expired", 401, "not_authenticated"),
        ("inactive person", 401, "not_authenticated"),
        ("openid scope only", 403, "insufficient_scope"),
    ],
)
def test_tokens_that_do_not_open_the_api(client, citizen, token_of, status, code):
    # given
    if token_of == "garbage":
        token = "not-a-token"
    elif token_of == "expired":
        token = _token(citizen, expires_in=-1)
    elif token_of == "inactive person":
        token = _token(citizen)
        citizen.is_active = False
        citizen.save(update_fields=["is_active"])
    else:
        token = _token(citizen, scope="openid profile")

    # when
    response = _me(client, token)

    # then: the API's JSON error, in Vietnamese
    assert response.status_code == status
    body = response.json()
    assert body["code"] == code
    assert not body["message"].isascii()  # Vietnamese, with its diacritics


def test_a_bad_token_is_not_rescued_by_a_session_cookie(client, citizen):
    client.force_login(citizen)

    assert client.get("/api/v1/me").status_code == 200
    assert _me(client, "not-a-token").status_code == 401


def test_no_credentials_is_401_json(client, db):
    response = client.get("/api/v1/me")

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


# --- Writes: CSRF for the session, none for a bearer token -------------------------------------------


@pytest.mark.urls(__name__)
def test_a_bearer_write_needs_no_csrf_token(citizen):
    client = Client(enforce_csrf_checks=True)

    response = client.post("/api/auth-test/echo", HTTP_AUTHORIZATION=f"Bearer {_token(citizen)}")

    assert response.status_code == 200
    assert response.json() == {"username": citizen.username}


@pytest.mark.urls(__name__)
def test_a_session_write_needs_the_csrf_header(citizen):
    client = Client(enforce_csrf_checks=True)
    client.force_login(citizen)

    # without the header: refused
    assert client.post("/api/auth-test/echo").status_code == 403

    # with the CSRF cookie's token in X-CSRFToken (what htmx sends): accepted
    secret = get_random_string(32)
    client.cookies["csrftoken"] = secret
    response = client.post("/api/auth-test/echo", HTTP_X_CSRFTOKEN=secret)
    assert response.status_code == 200
    assert response.json() == {"username": citizen.username}
