"""Sen as an OpenID Connect provider: discovery, the code flow a separate relying party runs over real
HTTP (Authlib as that party), the claims per scope, PKCE for public clients, and `oidc_client`."""

from __future__ import annotations

import base64
import io
import json
import secrets
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests
from authlib.integrations.requests_client import OAuth2Session
from django.contrib.auth.hashers import check_password
from django.core.management import CommandError, call_command
from django.utils import timezone
from joserfc import jwt as jose_jwt
from joserfc.jwk import KeySet
from oauth2_provider.models import AccessToken, Application

from sen.core.models import AuditEvent
from sen.identity.tests.oidc_support import TIMEOUT, code_flow, consent, log_in, page_text, register_client

RP_REDIRECT = "http://127.0.0.1:8765/callback"  # never contacted: the test reads the redirect itself


# --- Discovery ---------------------------------------------------------------------------------------


def test_root_and_o_discovery_documents_are_the_same_and_agree_with_their_endpoints(client):
    # when
    root = client.get("/.well-known/openid-configuration")
    under_o = client.get("/o/.well-known/openid-configuration")

    # then: both public, identical, and every endpoint lives under the issuer
    assert root.status_code == 200 and under_o.status_code == 200
    document = root.json()
    assert document == under_o.json()
    issuer = document["issuer"]
    assert issuer == "http://testserver/o"
    for name in ("authorization_endpoint", "token_endpoint", "userinfo_endpoint", "jwks_uri"):
        assert document[name].startswith(issuer + "/"), name
    assert document["jwks_uri"] == issuer + "/.well-known/jwks.json"
    assert "RS256" in document["id_token_signing_alg_values_supported"]
    assert {"openid", "profile", "email", "national_id", "api"} <= set(document["scopes_supported"])
    assert {"sub", "name", "unit_code", "unit_name", "national_id"} <= set(document["claims_supported"])
    assert "S256" in document["code_challenge_methods_supported"]


def test_protocol_endpoints_answer_without_a_session_and_authorize_sends_to_the_login_page(client, db):
    # jwks: public, one RSA signing key
    jwks = client.get("/o/.well-known/jwks.json")
    assert jwks.status_code == 200
    (key,) = jwks.json()["keys"]
    assert key["kty"] == "RSA" and key["alg"] == "RS256" and "d" not in key

    # userinfo without a token: 401 from the protocol, not a redirect to the login page
    assert client.get("/o/userinfo/").status_code == 401

    # token endpoint with an unknown client: an OAuth2 JSON error, not a redirect
    response = client.post("/o/token/", {"grant_type": "authorization_code", "code": "x", "client_id": "nobody"})
    assert response.status_code in (400, 401)
    assert "error" in response.json()

    # authorize without a session: Sen's login page, coming back here afterwards
    response = client.get("/o/authorize/?response_type=code&client_id=x")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/o/authorize/")


# --- A separate relying party over real HTTP ---------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_relying_party_runs_the_code_flow_over_http_and_calls_the_api_with_the_token(live_server, officer, password):
    # given: a registered relying party (not trusted: the person is asked to consent)
    client_id, client_secret = register_client("Hệ thống quản lý văn bản", RP_REDIRECT)
    discovery = requests.get(live_server.url + "/.well-known/openid-configuration", timeout=TIMEOUT).json()
    # (sessions closed before the live server stops sharing the test database with its threads)
    with (
        OAuth2Session(
            client_id,
            client_secret,
            scope="openid profile email api",
            redirect_uri=RP_REDIRECT,
            code_challenge_method="S256",
        ) as relying_party,
        requests.Session() as browser,
    ):
        verifier = secrets.token_urlsafe(48)
        nonce = secrets.token_urlsafe(16)
        authorize_url, state = relying_party.create_authorization_url(
            discovery["authorization_endpoint"], nonce=nonce, code_verifier=verifier
        )

        # when: the person's browser goes to Sen, logs in with the official e-mail, consents
        page = log_in(
            browser,
            live_server.url + "/accounts/login/?" + urlencode({"next": authorize_url.removeprefix(live_server.url)}),
            username=officer.username,
            password=password,
        )
        assert page.status_code == 200 and "authorizationForm" in page.text, page.url
        assert "Ứng dụng “Hệ thống quản lý văn bản” muốn dùng tài khoản Sen của bạn" in page_text(page.text)
        assert "Gọi API của Sen thay cho bạn" in page_text(page.text)
        redirect = consent(browser, page)
        assert redirect.status_code == 302
        callback = redirect.headers["Location"]
        assert callback.startswith(RP_REDIRECT + "?")
        assert parse_qs(urlsplit(callback).query)["state"] == [state]

        # and the relying party exchanges the code (with its secret and the PKCE verifier)
        token = relying_party.fetch_token(
            discovery["token_endpoint"], authorization_response=callback, code_verifier=verifier, timeout=TIMEOUT
        )

        # then: the ID token verifies against the JWKS, and its iss is the discovery issuer
        jwks = KeySet.import_key_set(requests.get(discovery["jwks_uri"], timeout=TIMEOUT).json())
        id_token = jose_jwt.decode(token["id_token"], jwks, algorithms=["RS256"])
        jose_jwt.JWTClaimsRegistry(
            iss={"essential": True, "value": discovery["issuer"]},
            aud={"essential": True, "value": client_id},
            nonce={"essential": True, "value": nonce},
            sub={"essential": True, "value": str(officer.pk)},
        ).validate(id_token.claims)
        claims = id_token.claims
        assert claims["name"] == "Phạm Văn Một Cửa"
        assert claims["preferred_username"] == officer.username
        assert claims["email"] == officer.email and claims["email_verified"] is True
        assert (claims["unit_code"], claims["unit_name"], claims["position"]) == (
            "H15.50",
            "Sở Tư pháp",
            "Cán bộ một cửa",
        )
        assert claims["account_kind"] == "staff"

        # and userinfo says the same about the same subject
        userinfo = relying_party.get(discovery["userinfo_endpoint"], timeout=TIMEOUT).json()
        assert userinfo["sub"] == claims["sub"] and userinfo["unit_code"] == "H15.50"

        # and the access token (scope "api") opens Sen's JSON API
        me = relying_party.get(live_server.url + "/api/v1/me", timeout=TIMEOUT)
        assert me.status_code == 200, me.text
        assert me.json()["username"] == officer.username

        # but a garbage token and an expired one are refused with the API's JSON error
        garbage = requests.get(
            live_server.url + "/api/v1/me", headers={"Authorization": "Bearer nonsense"}, timeout=TIMEOUT
        )
        assert garbage.status_code == 401 and garbage.json()["code"] == "not_authenticated"
        AccessToken.objects.filter(user=officer).update(expires=timezone.now() - timezone.timedelta(seconds=1))
        expired = relying_party.get(live_server.url + "/api/v1/me", timeout=TIMEOUT)
        assert expired.status_code == 401 and expired.json()["code"] == "not_authenticated"


def test_refusing_consent_sends_access_denied_back(client, citizen):
    # given: an application that asks for consent
    client_id, _secret = register_client("Ứng dụng lạ", RP_REDIRECT)
    client.force_login(citizen)
    query = {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": RP_REDIRECT,
        "scope": "openid national_id",
    }
    page = client.get("/o/authorize/?" + urlencode({**query, "state": "s9"}))
    assert "Số định danh cá nhân (CCCD)" in page_text(page.content.decode())

    # when: the person presses "Từ chối" (the form without "allow")
    fields = {name: value for name, value in page.context["form"].initial.items() if value is not None}
    response = client.post("/o/authorize/?" + urlencode(query), fields)

    # then: the application hears "access_denied" and gets no code
    params = parse_qs(urlsplit(response["Location"]).query)
    assert params["error"] == ["access_denied"] and "code" not in params


# --- Claims per scope (in-process flow) --------------------------------------------------------------


def test_citizen_cccd_is_released_only_with_the_national_id_scope(client, citizen):
    # given: a trusted application (no consent page)
    client_id, secret = register_client("Cổng thanh toán", RP_REDIRECT, trusted=True)

    # when: it asks for the profile only
    plain = code_flow(
        client, user=citizen, client_id=client_id, secret=secret, redirect_uri=RP_REDIRECT, scope="openid profile"
    )

    # then: name, but neither the CCCD nor a username (a citizen's username is the CCCD)
    claims = plain["id_claims"]
    assert claims["name"] == "Lê Thị Công Dân" and claims["account_kind"] == "citizen"
    assert "national_id" not in claims and "preferred_username" not in claims and "email" not in claims
    assert citizen.national_id not in json.dumps(claims)

    # when: it asks for national_id too
    full = code_flow(
        client,
        user=citizen,
        client_id=client_id,
        secret=secret,
        redirect_uri=RP_REDIRECT,
        scope="openid national_id email",
    )

    # then: the CCCD in the ID token and in userinfo
    assert full["id_claims"]["national_id"] == citizen.national_id
    assert full["id_claims"]["email_verified"] is False
    userinfo = client.get("/o/userinfo/", HTTP_AUTHORIZATION=f"Bearer {full['access_token']}").json()
    assert userinfo["national_id"] == citizen.national_id and userinfo["sub"] == str(citizen.pk)


def test_staff_unit_claims_are_left_out_when_the_person_holds_no_post(client, officer):
    # given: the officer's post has ended
    officer.employments.update(valid_to=timezone.localdate())
    client_id, secret = register_client("Hệ thống một cửa", RP_REDIRECT, trusted=True)

    # when
    tokens = code_flow(
        client, user=officer, client_id=client_id, secret=secret, redirect_uri=RP_REDIRECT, scope="openid profile"
    )

    # then: no null unit claims
    claims = tokens["id_claims"]
    assert claims["preferred_username"] == officer.username
    assert not {"unit_code", "unit_name", "position"} & set(claims)


def test_public_client_must_use_pkce(client, citizen):
    # given: a public client (no secret)
    client_id, secret = register_client("Ứng dụng di động", "http://127.0.0.1:8766/cb", trusted=True, public=True)
    assert secret == ""
    client.force_login(citizen)
    query = {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": "http://127.0.0.1:8766/cb",
        "scope": "openid",
    }

    # when: it asks without a code challenge
    response = client.get("/o/authorize/?" + urlencode({**query, "state": "s"}))

    # then: refused, no code
    params = parse_qs(urlsplit(response["Location"]).query)
    assert params["error"] == ["invalid_request"] and "code" not in params


def test_a_confidential_client_may_skip_pkce(client, citizen):
    client_id, secret = register_client("Hệ thống cũ", RP_REDIRECT, trusted=True)
    client.force_login(citizen)
    query = {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": RP_REDIRECT,
        "scope": "openid",
        "state": "s",
    }

    response = client.get("/o/authorize/?" + urlencode(query))

    code = parse_qs(urlsplit(response["Location"]).query)["code"][0]
    basic = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    tokens = client.post(
        "/o/token/",
        {"grant_type": "authorization_code", "code": code, "redirect_uri": RP_REDIRECT},
        HTTP_AUTHORIZATION=f"Basic {basic}",
    )
    assert tokens.status_code == 200 and "id_token" in tokens.json()


# --- manage.py oidc_client ---------------------------------------------------------------------------


def _run(*args: str) -> dict[str, str]:
    out = io.StringIO()
    call_command("oidc_client", *args, stdout=out)
    return dict(line.split("=", 1) for line in out.getvalue().splitlines())


@pytest.mark.django_db
def test_oidc_client_creates_then_updates_an_application():
    # when: created
    created = _run("Hệ thống quản lý văn bản", "--redirect-uri", "https://vb.example.gov.vn/cb", "--trusted")

    # then: a confidential RS256 authorization-code client; the printed secret is the stored one
    application = Application.objects.get(client_id=created["client_id"])
    assert application.name == "Hệ thống quản lý văn bản"
    assert application.client_type == Application.CLIENT_CONFIDENTIAL
    assert application.authorization_grant_type == Application.GRANT_AUTHORIZATION_CODE
    assert application.algorithm == Application.RS256_ALGORITHM
    assert application.skip_authorization is True
    assert check_password(created["client_secret"], application.client_secret)
    assert AuditEvent.objects.filter(action="identity.oidc_client.create", object_id=str(application.pk)).exists()

    # when: run again with new redirect URIs, untrusted
    updated = _run(
        "Hệ thống quản lý văn bản",
        "--redirect-uri",
        "https://vb.example.gov.vn/cb",
        "--redirect-uri",
        "https://vb2.example.gov.vn/cb",
    )

    # then: the same client, the same secret (not shown again), new URIs, consent required
    application.refresh_from_db()
    assert updated["client_id"] == created["client_id"]
    assert updated["client_secret"].startswith("(")
    assert check_password(created["client_secret"], application.client_secret)
    assert application.redirect_uris.split() == ["https://vb.example.gov.vn/cb", "https://vb2.example.gov.vn/cb"]
    assert application.skip_authorization is False
    assert Application.objects.count() == 1

    # and --rotate-secret issues a new one
    rotated = _run("Hệ thống quản lý văn bản", "--redirect-uri", "https://vb.example.gov.vn/cb", "--rotate-secret")
    application.refresh_from_db()
    assert rotated["client_secret"] != created["client_secret"]
    assert check_password(rotated["client_secret"], application.client_secret)


@pytest.mark.django_db
def test_oidc_client_refuses_a_bad_redirect_uri():
    with pytest.raises(CommandError):
        _run("Hệ thống lỗi", "--redirect-uri", "javascript:alert(1)")
    assert not Application.objects.exists()


@pytest.mark.django_db
def test_application_management_pages_are_not_exposed(client, citizen):
    """Relying parties are registered by the province (manage.py oidc_client), not by any logged-in person."""
    client.force_login(citizen)

    response = client.get("/o/applications/register/")

    assert response.status_code == 404
