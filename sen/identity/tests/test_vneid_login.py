"""“Đăng nhập bằng VNeID”: Sen as a relying party of an OpenID Connect provider named by its discovery URL.

The provider in these tests is Sen itself on the live server, reached as http://127.0.0.1:<port> while
the relying party is http://localhost:<port> — two hosts, so the person has two separate sessions, as
with a real VNeID. The relying party's own calls (discovery, token, JWKS, userinfo) go over real HTTP."""

from __future__ import annotations

import base64
import json
import socket
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import pytest
import requests
from django.core.cache import cache
from jwcrypto import jwk, jwt

from sen.core.models import AuditEvent
from sen.identity import vneid
from sen.identity.models import User
from sen.identity.tests.oidc_support import TIMEOUT, form_fields, log_in, page_text, register_client, serve_wsgi

CLIENT_ID = "sen-vneid-test"


@pytest.fixture
def provider_url(live_server, settings) -> str:
    """Sen's live server as the "VNeID" provider, with the relying party registered there."""
    provider = f"http://127.0.0.1:{live_server.thread.port}"
    _client_id, secret = register_client(
        "VNeID (thử nghiệm)", f"{live_server.url}/accounts/vneid/callback/", trusted=True
    )
    settings.VNEID_DISCOVERY_URL = f"{provider}/.well-known/openid-configuration"
    settings.VNEID_CLIENT_ID = _client_id
    settings.VNEID_CLIENT_SECRET = secret
    cache.clear()
    return provider


@pytest.fixture
def person() -> Iterator[requests.Session]:
    with requests.Session() as session:
        yield session


def _logged_in_as(person: requests.Session, base_url: str) -> str | None:
    response = person.get(base_url + "/api/v1/me", timeout=TIMEOUT)
    return response.json()["username"] if response.status_code == 200 else None


# --- The whole flow ----------------------------------------------------------------------------------

live = pytest.mark.django_db(transaction=True)


@live
def test_vneid_login_links_the_citizen_with_that_cccd_and_logs_them_in(
    live_server, provider_url, person, citizen, password
):
    # when: the person presses "Đăng nhập bằng VNeID" on a page that wanted /accounts/me/
    page = person.get(live_server.url + "/accounts/vneid/start/?next=/accounts/me/", timeout=TIMEOUT)

    # then: the provider's login page (its own host)
    assert page.url.startswith(provider_url + "/accounts/login/?next=/o/authorize/")
    authorize = parse_qs(urlsplit(parse_qs(urlsplit(page.url).query)["next"][0]).query)
    assert authorize["code_challenge_method"] == ["S256"] and authorize["nonce"] and authorize["state"]
    assert "national_id" in authorize["scope"][0].split()

    # when: they log in there; the provider sends them back, Sen exchanges the code
    final = log_in(person, page.url, username=citizen.username, password=password)

    # then: logged in to Sen, on the page they wanted, as that citizen, now linked
    assert final.status_code == 200
    assert final.url == live_server.url + "/accounts/me/"
    assert _logged_in_as(person, live_server.url) == citizen.username
    citizen.refresh_from_db()
    assert citizen.external_subject == f"{provider_url}/o#{citizen.pk}"
    assert AuditEvent.objects.filter(action="identity.user.link_vneid", object_id=str(citizen.pk)).count() == 1


@live
def test_a_valid_code_with_a_forged_state_is_refused_and_the_state_is_spent(
    live_server, provider_url, person, citizen, password
):
    # given: the person went through the provider and holds a real code for Sen
    page = person.get(live_server.url + "/accounts/vneid/start/", timeout=TIMEOUT)
    _action, fields = form_fields(page.text, having="password")
    fields.update(username=citizen.username, password=password)
    login = person.post(page.url, data=fields, allow_redirects=False, timeout=TIMEOUT)
    authorize = person.get(provider_url + login.headers["Location"], allow_redirects=False, timeout=TIMEOUT)
    callback = urlsplit(authorize.headers["Location"])
    params = parse_qs(callback.query)
    assert callback.path == "/accounts/vneid/callback/" and params["code"]

    # when: it arrives with another state
    forged = urlunsplit(callback._replace(query=urlencode({"code": params["code"][0], "state": "forged"})))
    response = person.get(forged, timeout=TIMEOUT)

    # then: the login page says why; nobody is logged in
    assert urlsplit(response.url).path == "/accounts/login/"
    assert "Phiên đăng nhập bằng VNeID không hợp lệ hoặc đã hết hạn" in page_text(response.text)
    assert _logged_in_as(person, live_server.url) is None

    # and the real state no longer works either: it was spent
    replay = person.get(authorize.headers["Location"], timeout=TIMEOUT)
    assert "Phiên đăng nhập bằng VNeID không hợp lệ" in page_text(replay.text)
    assert _logged_in_as(person, live_server.url) is None
    citizen.refresh_from_db()
    assert citizen.external_subject is None


def _tampering_provider(provider_url: str):
    """A provider whose token endpoint passes the request to Sen's and alters the ID token it gets
    back (the name), keeping the signature: what a man in the middle would do."""

    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        base = f"http://{environ['HTTP_HOST']}"
        if environ["PATH_INFO"] == "/.well-known/openid-configuration":
            document = requests.get(provider_url + "/.well-known/openid-configuration", timeout=TIMEOUT).json()
            document["token_endpoint"] = base + "/token"
            body = json.dumps(document).encode()
        else:
            length = int(environ.get("CONTENT_LENGTH") or 0)
            upstream = requests.post(
                provider_url + "/o/token/",
                data=environ["wsgi.input"].read(length),
                headers={
                    "Authorization": environ.get("HTTP_AUTHORIZATION", ""),
                    "Content-Type": environ["CONTENT_TYPE"],
                },
                timeout=TIMEOUT,
            ).json()
            header, payload, signature = upstream["id_token"].split(".")
            claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
            claims["name"] = "Kẻ Mạo Danh"
            forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
            upstream["id_token"] = f"{header}.{forged}.{signature}"
            body = json.dumps(upstream).encode()
        start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
        return [body]

    return app


@live
def test_a_tampered_id_token_is_refused(live_server, provider_url, person, citizen, password, settings):
    with serve_wsgi(_tampering_provider(provider_url)) as tampering:
        # given: the relying party is pointed at the tampering provider
        settings.VNEID_DISCOVERY_URL = tampering + "/.well-known/openid-configuration"

        # when: the person goes through the whole flow
        page = person.get(live_server.url + "/accounts/vneid/start/", timeout=TIMEOUT)
        final = log_in(person, page.url, username=citizen.username, password=password)

    # then: back on Sen's login page with the reason, not logged in, nothing linked
    assert final.url.startswith(live_server.url + "/accounts/login/")
    assert "Thông tin định danh nhận từ VNeID không hợp lệ" in page_text(final.text)
    assert _logged_in_as(person, live_server.url) is None
    citizen.refresh_from_db()
    assert citizen.external_subject is None


# --- Failures before the provider is reached --------------------------------------------------------


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_provider_down_gives_a_message_on_the_login_page(client, db, settings):
    settings.VNEID_DISCOVERY_URL = f"http://127.0.0.1:{_closed_port()}/.well-known/openid-configuration"
    settings.VNEID_CLIENT_ID = CLIENT_ID
    cache.clear()

    response = client.get("/accounts/vneid/start/", follow=True)

    assert response.status_code == 200
    assert response.redirect_chain[-1][0].startswith("/accounts/login/")
    assert "Không kết nối được với VNeID. Vui lòng thử lại sau." in page_text(response.content.decode())


def test_not_configured_gives_a_message(client, db, settings):
    settings.VNEID_DISCOVERY_URL = ""

    response = client.get("/accounts/vneid/start/", follow=True)

    assert "Đăng nhập bằng VNeID chưa được cấu hình." in page_text(response.content.decode())


def test_a_callback_without_a_started_login_is_refused(client, db):
    response = client.get("/accounts/vneid/callback/?code=abc&state=xyz", follow=True)

    assert response.redirect_chain[-1][0].startswith("/accounts/login/")
    assert "Phiên đăng nhập bằng VNeID không hợp lệ" in page_text(response.content.decode())
    assert "_auth_user_id" not in client.session


def test_the_request_to_the_provider_and_a_refusal_there(client, db, settings):
    # given: a provider that offers only some of the scopes Sen would like
    document = {
        "issuer": "https://vneid.example.gov.vn",
        "authorization_endpoint": "https://vneid.example.gov.vn/authorize?lang=vi",
        "token_endpoint": "https://vneid.example.gov.vn/token",
        "jwks_uri": "https://vneid.example.gov.vn/jwks",
        "scopes_supported": ["openid", "profile", "cccd"],
    }
    body = json.dumps(document).encode()

    def discovery(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        start_response("200 OK", [("Content-Type", "application/json")])
        return [body]

    with serve_wsgi(discovery) as base:
        settings.VNEID_DISCOVERY_URL = base + "/.well-known/openid-configuration"
        settings.VNEID_CLIENT_ID = CLIENT_ID
        cache.clear()

        # when: the person starts, from a link that would send them elsewhere afterwards
        start = client.get("/accounts/vneid/start/?next=https://evil.example/")

    # then: off to the provider with a PKCE S256 challenge, asking only for scopes it offers
    sent = urlsplit(start["Location"])
    params = parse_qs(sent.query)
    assert (sent.netloc, sent.path, params["lang"]) == ("vneid.example.gov.vn", "/authorize", ["vi"])
    assert params["client_id"] == [CLIENT_ID] and params["response_type"] == ["code"]
    assert params["scope"] == ["openid profile"]
    assert params["code_challenge_method"] == ["S256"] and len(params["code_challenge"][0]) == 43
    assert params["redirect_uri"] == ["http://testserver/accounts/vneid/callback/"]
    flow = client.session[vneid.SESSION_KEY]
    assert flow["next"] == ""  # not a page of Sen's: dropped
    assert flow["state"] == params["state"][0] and flow["nonce"] == params["nonce"][0]

    # when: they refuse at the provider
    response = client.get(f"/accounts/vneid/callback/?error=access_denied&state={params['state'][0]}", follow=True)

    # then
    assert "Bạn đã từ chối cho phép đăng nhập bằng VNeID." in page_text(response.content.decode())
    assert "_auth_user_id" not in client.session


# --- The ID token checks, one by one (a provider key served on loopback) ----------------------------

ISSUER = "https://vneid.example.gov.vn"
NONCE = "n-0123456789"


def _signed(key: jwk.JWK, claims: dict[str, Any], *, alg: str = "RS256", kid: str | None = None) -> str:
    token = jwt.JWT(header={"alg": alg, "kid": kid or key.thumbprint()}, claims=claims)
    token.make_signed_token(key)
    return token.serialize()


@pytest.fixture
def provider_key() -> jwk.JWK:
    return jwk.JWK.generate(kty="RSA", size=2048)


@pytest.fixture
def jwks_provider(provider_key, settings) -> Iterator[vneid.Provider]:
    public = {**json.loads(provider_key.export_public()), "kid": provider_key.thumbprint(), "use": "sig"}
    body = json.dumps({"keys": [public]}).encode()

    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        start_response("200 OK", [("Content-Type", "application/json")])
        return [body]

    settings.VNEID_CLIENT_ID = CLIENT_ID
    with serve_wsgi(app) as base:
        yield vneid.Provider(
            issuer=ISSUER,
            authorization_endpoint=ISSUER + "/authorize",
            token_endpoint=ISSUER + "/token",
            jwks_uri=base + "/jwks.json",
            userinfo_endpoint="",
            scopes_supported=(),
            token_auth_methods=("client_secret_basic",),
        )


def _claims(**changes: Any) -> dict[str, Any]:
    now = int(time.time())
    claims = {"iss": ISSUER, "aud": CLIENT_ID, "sub": "vneid-42", "exp": now + 300, "iat": now, "nonce": NONCE}
    claims.update(changes)
    return {key: value for key, value in claims.items() if value is not None}


def test_a_good_id_token_passes(jwks_provider, provider_key):
    claims = vneid.verify_id_token(jwks_provider, _signed(provider_key, _claims()), nonce=NONCE)

    assert claims["sub"] == "vneid-42"


@pytest.mark.parametrize(
    "change",
    [
        {"iss": "https://evil.example"},
        {"aud": "another-client"},
        {"aud": [CLIENT_ID, "another-client"]},  # several audiences and no azp
        {"exp": int(time.time()) - 3600},
        {"iat": int(time.time()) + 3600},
        {"nonce": "replayed-nonce"},
        {"nonce": None},
        {"sub": None},
    ],
    ids=["iss", "aud", "aud-without-azp", "expired", "issued-in-the-future", "nonce", "no-nonce", "no-sub"],
)
def test_id_token_claim_checks(jwks_provider, provider_key, change):
    with pytest.raises(vneid.VneidError) as raised:
        vneid.verify_id_token(jwks_provider, _signed(provider_key, _claims(**change)), nonce=NONCE)

    assert raised.value.code == "vneid_bad_token"
    assert raised.value.message == "Thông tin định danh nhận từ VNeID không hợp lệ."


def test_id_token_signature_checks(jwks_provider, provider_key):
    other_key = jwk.JWK.generate(kty="RSA", size=2048)
    # signed by someone else's key but claiming the provider's key id
    forged = _signed(other_key, _claims(), kid=provider_key.thumbprint())
    # an HMAC token keyed with the provider's public key (the classic algorithm confusion)
    hmac_key = jwk.JWK(kty="oct", k=base64.urlsafe_b64encode(provider_key.export_to_pem()).rstrip(b"=").decode())
    confused = _signed(hmac_key, _claims(), alg="HS256", kid=provider_key.thumbprint())
    # an unsigned token
    header = base64.urlsafe_b64encode(b'{"alg":"none"}').rstrip(b"=").decode()
    payload = base64.urlsafe_b64encode(json.dumps(_claims()).encode()).rstrip(b"=").decode()
    unsigned = f"{header}.{payload}."

    for token in (forged, confused, unsigned, "not.a.jwt"):
        with pytest.raises(vneid.VneidError):
            vneid.verify_id_token(jwks_provider, token, nonce=NONCE)


# --- Which account: link, create, refuse ------------------------------------------------------------

PROVIDER = "https://vneid.example.gov.vn"


def test_an_unknown_cccd_makes_a_citizen_account_once(db):
    claims = {
        "national_id": "082099000123",
        "name": "Nguyễn Thị Mới",
        "email": "moi@example.vn",
        "phone_number": "+84912345678",
    }

    user = vneid.account_for_vneid(issuer=PROVIDER, subject="sub-1", claims=claims)
    again = vneid.account_for_vneid(issuer=PROVIDER, subject="sub-1", claims=claims)

    assert again.pk == user.pk
    assert User.objects.filter(national_id="082099000123").count() == 1
    assert (user.kind, user.username, user.full_name) == (User.Kind.CITIZEN, "082099000123", "Nguyễn Thị Mới")
    assert (user.email, user.phone) == ("moi@example.vn", "0912345678")
    assert not user.has_usable_password()
    assert user.external_subject == f"{PROVIDER}#sub-1"
    assert AuditEvent.objects.filter(action="identity.user.register_vneid", object_id=str(user.pk)).count() == 1


def test_the_same_sub_from_another_issuer_is_another_person(db, citizen):
    vneid.account_for_vneid(issuer=PROVIDER, subject="sub-7", claims={"national_id": citizen.national_id})

    with pytest.raises(vneid.VneidError) as raised:
        vneid.account_for_vneid(
            issuer="https://other.example", subject="sub-7", claims={"national_id": citizen.national_id}
        )

    assert raised.value.code == "vneid_already_linked"


def test_without_a_cccd_nobody_is_created(db):
    with pytest.raises(vneid.VneidError) as raised:
        vneid.account_for_vneid(issuer=PROVIDER, subject="sub-2", claims={"name": "Không Có Số"})

    assert raised.value.code == "vneid_no_national_id"
    assert "CCCD" in raised.value.message
    assert not User.objects.filter(external_subject__isnull=False).exists()


def test_a_staff_account_is_never_opened_by_vneid(db, officer):
    User.objects.filter(pk=officer.pk).update(national_id="082099000555")

    with pytest.raises(vneid.VneidError) as raised:
        vneid.account_for_vneid(issuer=PROVIDER, subject="sub-3", claims={"national_id": "082099000555"})

    assert raised.value.code == "vneid_not_citizen"
    officer.refresh_from_db()
    assert officer.external_subject is None


def test_a_locked_out_account_is_not_logged_in(db, citizen):
    User.objects.filter(pk=citizen.pk).update(is_active=False)

    with pytest.raises(vneid.VneidError) as raised:
        vneid.account_for_vneid(issuer=PROVIDER, subject="sub-4", claims={"national_id": citizen.national_id})

    assert raised.value.code == "vneid_inactive"
    citizen.refresh_from_db()
    assert citizen.external_subject is None
