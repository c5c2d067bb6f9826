"""A separate relying-party web app (think: another provincial system) that logs people in through
Sen's OpenID Connect provider. Plain WSGI, served by wsgiref on loopback; Authlib runs the
authorization code flow (state, nonce, PKCE S256) and joserfc checks the ID token against Sen's JWKS.

Pages: `/` greets the logged-in person ("Xin chào <name>") or offers the login link; `/login` sends
the browser to Sen; `/callback` takes the code back, exchanges it, checks the ID token, remembers
the person in a cookie and returns to `/`."""

from __future__ import annotations

import html
import secrets
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qs

import requests
from authlib.integrations.requests_client import OAuth2Session
from joserfc import jwt
from joserfc.jwk import KeySet

TIMEOUT = 20
COOKIE = "rp_session"


@dataclass
class RelyingParty:
    sen_url: str
    base_url: str = ""
    client_id: str = ""
    client_secret: str = ""
    pending: dict[str, dict[str, str]] = field(default_factory=dict)  # state → nonce, verifier
    people: dict[str, dict[str, Any]] = field(default_factory=dict)  # cookie → ID token claims
    errors: list[str] = field(default_factory=list)

    @property
    def redirect_uri(self) -> str:
        return self.base_url + "/callback"

    def _session(self) -> OAuth2Session:
        return OAuth2Session(
            self.client_id,
            self.client_secret,
            scope="openid profile email",
            redirect_uri=self.redirect_uri,
            code_challenge_method="S256",
        )

    def _discovery(self) -> dict[str, Any]:
        return requests.get(self.sen_url + "/.well-known/openid-configuration", timeout=TIMEOUT).json()

    def __call__(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        path = environ.get("PATH_INFO", "/")
        try:
            if path == "/login":
                return self._login(start_response)
            if path == "/callback":
                return self._callback(environ, start_response)
            return self._home(environ, start_response)
        except Exception as exc:  # shown on the page, and kept for the test to report
            self.errors.append(repr(exc))
            return self._page(start_response, "500 Internal Server Error", f"<p>Lỗi: {html.escape(repr(exc))}</p>")

    def _page(
        self, start_response: Any, status: str, body: str, headers: list[tuple[str, str]] | None = None
    ) -> list[bytes]:
        document = (
            '<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>Hệ thống quản lý văn bản</title></head>'
            f"<body><p>Hệ thống quản lý văn bản (ứng dụng thử nghiệm)</p>{body}</body></html>"
        ).encode()
        start_response(status, [("Content-Type", "text/html; charset=utf-8"), *(headers or [])])
        return [document]

    def _home(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        cookie = SimpleCookie(environ.get("HTTP_COOKIE", ""))
        person = self.people.get(cookie[COOKIE].value) if COOKIE in cookie else None
        if person is None:
            return self._page(start_response, "200 OK", '<a href="/login">Đăng nhập bằng tài khoản Sen</a>')
        greeting = f"<h1>Xin chào {html.escape(person['name'])}</h1>"
        if person.get("unit_name"):
            greeting += f"<p>Đơn vị: {html.escape(person['unit_name'])}</p>"
        return self._page(start_response, "200 OK", greeting)

    def _login(self, start_response: Any) -> list[bytes]:
        verifier, nonce = secrets.token_urlsafe(48), secrets.token_urlsafe(16)
        url, state = self._session().create_authorization_url(
            self._discovery()["authorization_endpoint"], nonce=nonce, code_verifier=verifier
        )
        self.pending[state] = {"nonce": nonce, "verifier": verifier}
        start_response("302 Found", [("Location", url)])
        return [b""]

    def _callback(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        query = parse_qs(environ.get("QUERY_STRING", ""))
        flow = self.pending.pop(query.get("state", [""])[0], None)
        if flow is None:
            return self._page(start_response, "400 Bad Request", "<p>Yêu cầu đăng nhập không hợp lệ.</p>")
        discovery = self._discovery()
        with self._session() as session:
            token = session.fetch_token(
                discovery["token_endpoint"],
                authorization_response=f"{self.redirect_uri}?{environ['QUERY_STRING']}",
                code_verifier=flow["verifier"],
                timeout=TIMEOUT,
            )
        keys = KeySet.import_key_set(requests.get(discovery["jwks_uri"], timeout=TIMEOUT).json())
        id_token = jwt.decode(token["id_token"], keys, algorithms=["RS256"])
        jwt.JWTClaimsRegistry(
            iss={"essential": True, "value": discovery["issuer"]},
            aud={"essential": True, "value": self.client_id},
            nonce={"essential": True, "value": flow["nonce"]},
            exp={"essential": True},
        ).validate(id_token.claims)
        session_id = secrets.token_urlsafe(16)
        self.people[session_id] = id_token.claims
        start_response("302 Found", [("Location", "/"), ("Set-Cookie", f"{COOKIE}={session_id}; Path=/; HttpOnly")])
        return [b""]
