"""What the OpenID Connect tests share: a person's browser (a requests session) logging in through
Sen's login form and answering the consent page, a tiny HTTP server in a thread, and the
in-process code flow used by the claims tests. Nothing here stands in for Sen: every request
reaches the real views."""

from __future__ import annotations

import base64
import hashlib
import html as html_lib
import json
import re
import secrets
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import requests
from django.test import Client
from jwcrypto import jwk, jwt

from sen.identity.oidc_provider import oidc_client_save

TIMEOUT = 20


class _FormParser(HTMLParser):
    """The inputs of one form (by id, or the first form with a password field)."""

    def __init__(self, form_id: str = "") -> None:
        super().__init__()
        self.form_id = form_id
        self.forms: list[dict[str, Any]] = []
        self._current: dict[str, Any] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        if tag == "form":
            self._current = {"id": attributes.get("id", ""), "action": attributes.get("action", ""), "inputs": {}}
            self.forms.append(self._current)
        elif tag == "input" and self._current is not None and attributes.get("name"):
            if attributes.get("type") == "submit":
                return
            self._current["inputs"][attributes["name"]] = attributes.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._current = None


def form_fields(html: str, *, form_id: str = "", having: str = "") -> tuple[str, dict[str, str]]:
    parser = _FormParser()
    parser.feed(html)
    for form in parser.forms:
        if (form_id and form["id"] == form_id) or (having and having in form["inputs"]):
            return form["action"], dict(form["inputs"])
    raise AssertionError(f"no form {form_id or having!r} in the page")


def log_in(browser: requests.Session, login_url: str, *, username: str, password: str) -> requests.Response:
    """Fill Sen's login form at `login_url` (which may carry ?next=) and submit it, following redirects."""
    page = browser.get(login_url, timeout=TIMEOUT)
    assert page.status_code == 200, page.status_code
    action, fields = form_fields(page.text, having="password")
    fields.update(username=username, password=password)
    return browser.post(urljoin(page.url, action or page.url), data=fields, timeout=TIMEOUT)


def consent(browser: requests.Session, page: requests.Response) -> requests.Response:
    """Press "Đồng ý" on the consent page (templates/oauth2_provider/authorize.html); returns the
    redirect, not followed."""
    _action, fields = form_fields(page.text, form_id="authorizationForm")
    fields["allow"] = "on"
    return browser.post(page.url, data=fields, allow_redirects=False, timeout=TIMEOUT)


def register_client(name: str, redirect_uri: str, *, trusted: bool = False, public: bool = False) -> tuple[str, str]:
    application, secret = oidc_client_save(
        actor=None, name=name, redirect_uris=[redirect_uri], trusted=trusted, public=public
    )
    return application.client_id, secret


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


# --- A small HTTP server on loopback, in a thread --------------------------------------------------


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def serve_wsgi(app: Callable[..., Any]) -> Iterator[str]:
    """Serve a WSGI app on 127.0.0.1 (a free port) in a daemon thread; yields its base URL."""
    server: WSGIServer = make_server("127.0.0.1", 0, app, handler_class=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


# --- The code flow in-process (Django's test client), for claim-by-claim checks ---------------------


def code_flow(
    client: Client, *, user: Any, client_id: str, secret: str, redirect_uri: str, scope: str
) -> dict[str, Any]:
    """Authorize `user` for a trusted application (no consent page) and exchange the code. Returns
    the token response plus "id_claims", the ID token's claims verified against Sen's JWKS."""
    verifier, challenge = pkce_pair()
    nonce = secrets.token_urlsafe(16)
    client.force_login(user)
    query = {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": redirect_uri,
        "scope": scope,
        "state": "s1",
        "nonce": nonce,
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    response = client.get("/o/authorize/?" + urlencode(query))
    assert response.status_code == 302, response.status_code
    code = parse_qs(urlsplit(response["Location"]).query)["code"][0]
    client.logout()
    basic = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    response = client.post(
        "/o/token/",
        {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri, "code_verifier": verifier},
        HTTP_AUTHORIZATION=f"Basic {basic}",
    )
    assert response.status_code == 200, response.content
    tokens = response.json()
    keys = jwk.JWKSet.from_json(client.get("/o/.well-known/jwks.json").content)
    token = jwt.JWT(jwt=tokens["id_token"], key=keys, algs=["RS256"])
    claims = json.loads(token.claims)
    assert claims["nonce"] == nonce
    tokens["id_claims"] = claims
    return tokens


def page_text(html: str) -> str:
    """The visible words of a page, whitespace collapsed (for "the page says ..." checks)."""
    text = re.sub(r"<script.*?</script>|<style.*?</style>", " ", html, flags=re.S)
    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", text)).split())
