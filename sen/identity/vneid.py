"""“Đăng nhập bằng VNeID”: Sen as an OpenID Connect relying party of the provider named by
settings.VNEID_DISCOVERY_URL (client VNEID_CLIENT_ID / VNEID_CLIENT_SECRET, registered there with the
redirect URI <Sen>/accounts/vneid/callback/).

The flow (authorization code, OpenID Connect Core §3.1):
1. `authorization_url()` reads the provider's discovery document (cached), makes a fresh state,
   nonce and PKCE S256 verifier, keeps them in the session, and sends the browser to the provider.
2. `complete_login()` on the way back: the state must be the one in the session (then it is spent),
   the code is exchanged at the token endpoint with the client secret and the PKCE verifier, the ID
   token's signature is checked against the provider's JWKS (asymmetric algorithms only), then its
   iss, aud/azp, exp, iat and nonce. Userinfo is read when the provider has it (its `sub` must match;
   an unreadable userinfo is skipped, the signed ID token being enough).
3. `account_for_vneid()` finds or makes the Sen account (one transaction, after all network I/O).

Accounts, and why:
- The link is kept in User.external_subject as "<issuer>#<sub>": a `sub` is only unique within its
  issuer, so a later change of provider (a test provider, then the real VNeID) can never hand one
  person's account to another whose `sub` happens to be equal. (A "#" cannot occur in an issuer.)
- Already linked → that account.
- Not linked, and the ID token or userinfo carries a 12-digit CCCD ("national_id" or "cccd") that
  belongs to an existing citizen account not linked to another identity → that account is linked.
  The provider is trusted for the CCCD: VNeID is the national identity system. Only configure a
  provider that is authoritative for CCCDs.
- Staff and business accounts are never linked or created this way: staff log in with their
  official e-mail (and TOTP where required), so an outside identity must not open them.
- No account yet → a citizen account is created from the claims (login = the CCCD, name, e-mail,
  phone) with no usable password: the person logs in through VNeID.
- No CCCD in the claims → refused with a message: a citizen account is keyed by its CCCD.
- A deactivated account (is_active off) is refused. The password lockout (locked_until) is not
  applied: it guards against password guessing, and no password is used here.

Every outbound call has a time-out; every failure becomes a VneidError with a Vietnamese message,
which the views show on the login page.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import re
import secrets
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

import requests
from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import HttpRequest
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from jwcrypto import jwk, jwt
from jwcrypto.common import JWException

from sen.core import audit
from sen.core.exceptions import SenError
from sen.identity.models import User

log = logging.getLogger(__name__)

# (connect, read) seconds for every call to the provider.
HTTP_TIMEOUT = (5, 15)
DISCOVERY_CACHE_SECONDS = 3600
JWKS_CACHE_SECONDS = 3600
# How long a started login may take (the person may have to type a password at the provider).
FLOW_MAX_AGE_SECONDS = 15 * 60
CLOCK_LEEWAY_SECONDS = 120
SESSION_KEY = "sen_vneid_flow"
SIGNING_ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512")
WANTED_SCOPES = ("openid", "profile", "email", "national_id")
CCCD_CLAIMS = ("national_id", "cccd")
_CCCD_RE = re.compile(r"^[0-9]{12}$")


class VneidError(SenError):
    code = "vneid_failed"
    status = 400
    default_message = "Đăng nhập bằng VNeID không thành công. Vui lòng thử lại."

    def __init__(self, message: str | None = None, *, code: str | None = None) -> None:
        super().__init__(message or _("Đăng nhập bằng VNeID không thành công. Vui lòng thử lại."), code=code)


@dataclass(frozen=True)
class Provider:
    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    userinfo_endpoint: str
    scopes_supported: tuple[str, ...]
    token_auth_methods: tuple[str, ...]


@dataclass(frozen=True)
class LoginResult:
    user: User
    next_url: str


def is_configured() -> bool:
    return bool(settings.VNEID_DISCOVERY_URL and settings.VNEID_CLIENT_ID)


# --- Talking to the provider -------------------------------------------------------------------------


def _unavailable() -> VneidError:
    return VneidError(_("Không kết nối được với VNeID. Vui lòng thử lại sau."), code="vneid_unavailable")


def _get_json(url: str, *, headers: dict[str, str] | None = None) -> dict[str, Any]:
    try:
        response = requests.get(url, headers={"Accept": "application/json", **(headers or {})}, timeout=HTTP_TIMEOUT)
        response.raise_for_status()
        data = response.json()
    except (requests.RequestException, ValueError) as exc:
        log.warning("VNeID: GET %s failed: %s", url, exc)
        raise _unavailable() from exc
    if not isinstance(data, dict):
        raise _unavailable()
    return data


def _cache_key(kind: str, url: str) -> str:
    return f"sen:vneid:{kind}:{hashlib.sha256(url.encode()).hexdigest()}"


def provider() -> Provider:
    """The provider's discovery document, cached for an hour."""
    if not is_configured():
        raise VneidError(_("Đăng nhập bằng VNeID chưa được cấu hình."), code="vneid_not_configured")
    url = settings.VNEID_DISCOVERY_URL
    key = _cache_key("discovery", url)
    document = cache.get(key)
    if document is None:
        document = _get_json(url)
        required = ("issuer", "authorization_endpoint", "token_endpoint", "jwks_uri")
        if not all(isinstance(document.get(name), str) and document[name] for name in required):
            log.warning("VNeID: discovery document at %s lacks one of %s", url, required)
            raise _unavailable()
        cache.set(key, document, DISCOVERY_CACHE_SECONDS)
    return Provider(
        issuer=document["issuer"],
        authorization_endpoint=document["authorization_endpoint"],
        token_endpoint=document["token_endpoint"],
        jwks_uri=document["jwks_uri"],
        userinfo_endpoint=document.get("userinfo_endpoint") or "",
        scopes_supported=_strings(document.get("scopes_supported")),
        token_auth_methods=_strings(document.get("token_endpoint_auth_methods_supported")) or ("client_secret_basic",),
    )


def _strings(value: Any) -> tuple[str, ...]:
    return tuple(item for item in value if isinstance(item, str)) if isinstance(value, list) else ()


def _jwks(config: Provider, *, refresh: bool = False) -> jwk.JWKSet:
    key = _cache_key("jwks", config.jwks_uri)
    document = None if refresh else cache.get(key)
    fetched = document is None
    if document is None:
        document = _get_json(config.jwks_uri)
    try:
        keys = jwk.JWKSet.from_json(json.dumps(document))
    except (JWException, ValueError, TypeError) as exc:
        raise _unavailable() from exc
    if fetched:
        cache.set(key, document, JWKS_CACHE_SECONDS)
    return keys


def _scope(config: Provider) -> str:
    wanted = getattr(settings, "VNEID_SCOPES", "") or " ".join(WANTED_SCOPES)
    scopes = wanted.split()
    if config.scopes_supported:  # ask only for what the provider says it has
        scopes = [scope for scope in scopes if scope == "openid" or scope in config.scopes_supported]
    return " ".join(scopes)


def _redirect_uri(request: HttpRequest) -> str:
    return getattr(settings, "VNEID_REDIRECT_URI", "") or request.build_absolute_uri(reverse("oidc_login:callback"))


def _is_safe_next(request: HttpRequest, next_url: str) -> bool:
    return url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


# --- Step 1: off to the provider --------------------------------------------------------------------


def authorization_url(request: HttpRequest, *, next_url: str = "") -> str:
    config = provider()
    verifier = secrets.token_urlsafe(64)
    flow = {
        "state": secrets.token_urlsafe(32),
        "nonce": secrets.token_urlsafe(32),
        "verifier": verifier,
        "redirect_uri": _redirect_uri(request),
        "next": next_url if _is_safe_next(request, next_url) else "",
        "started": int(time.time()),
    }
    request.session[SESSION_KEY] = flow
    params = {
        "response_type": "code",
        "client_id": settings.VNEID_CLIENT_ID,
        "redirect_uri": flow["redirect_uri"],
        "scope": _scope(config),
        "state": flow["state"],
        "nonce": flow["nonce"],
        "code_challenge": _b64url(hashlib.sha256(verifier.encode()).digest()),
        "code_challenge_method": "S256",
    }
    separator = "&" if "?" in config.authorization_endpoint else "?"
    return f"{config.authorization_endpoint}{separator}{urlencode(params)}"


# --- Step 2: back from the provider -----------------------------------------------------------------


def complete_login(request: HttpRequest) -> LoginResult:
    """Check the provider's answer and return the Sen account it proves (not yet logged in)."""
    flow = request.session.pop(SESSION_KEY, None)
    state = request.GET.get("state", "")
    if not isinstance(flow, dict) or not state or not hmac.compare_digest(str(flow.get("state", "")), state):
        raise VneidError(
            _("Phiên đăng nhập bằng VNeID không hợp lệ hoặc đã hết hạn. Vui lòng thử lại."), code="vneid_state"
        )
    if time.time() - int(flow.get("started", 0)) > FLOW_MAX_AGE_SECONDS:
        raise VneidError(_("Phiên đăng nhập bằng VNeID đã hết hạn. Vui lòng thử lại."), code="vneid_state")
    if request.GET.get("error"):
        if request.GET["error"] == "access_denied":
            raise VneidError(_("Bạn đã từ chối cho phép đăng nhập bằng VNeID."), code="vneid_denied")
        log.warning("VNeID: the provider answered error=%s", request.GET["error"][:100])
        raise VneidError()
    code = request.GET.get("code", "")
    if not code:
        raise VneidError()

    config = provider()
    tokens = _exchange_code(config, code=code, flow=flow)
    claims = verify_id_token(config, tokens["id_token"], nonce=flow["nonce"])
    userinfo = _userinfo(config, tokens.get("access_token"))
    if userinfo:
        if userinfo.get("sub") != claims["sub"]:
            log.warning("VNeID: userinfo sub does not match the ID token's")
            raise VneidError()
        claims = {**userinfo, **claims}  # the signed ID token wins
    user = account_for_vneid(issuer=config.issuer, subject=claims["sub"], claims=claims)
    return LoginResult(user=user, next_url=str(flow.get("next") or ""))


def _exchange_code(config: Provider, *, code: str, flow: dict[str, Any]) -> dict[str, Any]:
    data = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": flow["redirect_uri"],
        "code_verifier": flow["verifier"],
    }
    auth = None
    client_id, secret = settings.VNEID_CLIENT_ID, settings.VNEID_CLIENT_SECRET
    if "client_secret_basic" in config.token_auth_methods or "client_secret_post" not in config.token_auth_methods:
        # RFC 6749 §2.3.1: both parts are form-encoded before the Basic encoding.
        auth = (quote(client_id, safe=""), quote(secret, safe=""))
    else:
        data |= {"client_id": client_id, "client_secret": secret}
    try:
        response = requests.post(
            config.token_endpoint, data=data, auth=auth, headers={"Accept": "application/json"}, timeout=HTTP_TIMEOUT
        )
    except requests.RequestException as exc:
        log.warning("VNeID: token request failed: %s", exc)
        raise _unavailable() from exc
    try:
        tokens = response.json()
    except ValueError:
        tokens = None
    if response.status_code != 200 or not isinstance(tokens, dict):
        error = tokens.get("error") if isinstance(tokens, dict) else response.status_code
        log.warning("VNeID: token endpoint refused the code: %s", error)
        raise VneidError(_("VNeID không chấp nhận yêu cầu đăng nhập. Vui lòng thử lại."), code="vneid_token")
    if not isinstance(tokens.get("id_token"), str):
        raise VneidError(_("VNeID không trả về thông tin định danh. Vui lòng thử lại."), code="vneid_token")
    return tokens


def _userinfo(config: Provider, access_token: Any) -> dict[str, Any]:
    """The userinfo claims, or {} when the provider has no userinfo endpoint or its answer cannot be
    read as JSON (a signed userinfo, say): the ID token alone then says who the person is."""
    if not config.userinfo_endpoint or not isinstance(access_token, str) or not access_token:
        return {}
    try:
        return _get_json(config.userinfo_endpoint, headers={"Authorization": f"Bearer {access_token}"})
    except VneidError:
        log.warning("VNeID: userinfo unreadable; going on with the ID token's claims")
        return {}


def _bad_token(reason: str) -> VneidError:
    log.warning("VNeID: ID token rejected: %s", reason)
    return VneidError(_("Thông tin định danh nhận từ VNeID không hợp lệ."), code="vneid_bad_token")


def verify_id_token(config: Provider, id_token: str, *, nonce: str) -> dict[str, Any]:
    """The ID token's claims, once its signature (against the provider's JWKS) and its iss, aud/azp,
    exp, iat and nonce check out."""
    claims = _verified_claims(config, id_token)
    now = time.time()
    client_id = settings.VNEID_CLIENT_ID
    audience = claims.get("aud")
    audiences = [audience] if isinstance(audience, str) else audience if isinstance(audience, list) else []
    if claims.get("iss") != config.issuer:
        raise _bad_token("iss")
    if client_id not in audiences:
        raise _bad_token("aud")
    if (len(audiences) > 1 or "azp" in claims) and claims.get("azp") != client_id:
        raise _bad_token("azp")
    exp, iat = claims.get("exp"), claims.get("iat")
    if not isinstance(exp, int | float) or exp + CLOCK_LEEWAY_SECONDS < now:
        raise _bad_token("exp")
    if isinstance(iat, int | float) and iat - CLOCK_LEEWAY_SECONDS > now:
        raise _bad_token("iat")
    if not isinstance(claims.get("nonce"), str) or not hmac.compare_digest(claims["nonce"], nonce):
        raise _bad_token("nonce")
    if not isinstance(claims.get("sub"), str) or not claims["sub"]:
        raise _bad_token("sub")
    return claims


def _verified_claims(config: Provider, id_token: str) -> dict[str, Any]:
    for refresh in (False, True):  # a key the cached set does not know: the provider may have rotated
        keys = _jwks(config, refresh=refresh)
        try:
            token = jwt.JWT(
                jwt=id_token, key=keys, algs=list(SIGNING_ALGORITHMS), check_claims=False, expected_type="JWS"
            )
        except jwt.JWTMissingKey:
            continue
        except (JWException, ValueError, TypeError) as exc:
            raise _bad_token(type(exc).__name__) from exc
        try:
            claims = json.loads(token.claims)
        except ValueError as exc:
            raise _bad_token("claims") from exc
        if not isinstance(claims, dict):
            raise _bad_token("claims")
        return claims
    raise _bad_token("no matching key")


# --- Step 3: the Sen account ------------------------------------------------------------------------


def external_subject(issuer: str, subject: str) -> str:
    value = f"{issuer}#{subject}"
    if len(value) > 255:  # the column's length; a digest keeps it unique
        value = "sha256:" + hashlib.sha256(value.encode()).hexdigest()
    return value


def _cccd(claims: dict[str, Any]) -> str:
    for name in CCCD_CLAIMS:
        value = str(claims.get(name) or "").strip()
        if _CCCD_RE.match(value):
            return value
    return ""


def _full_name(claims: dict[str, Any]) -> str:
    name = str(claims.get("name") or "").strip()
    if not name:
        parts = (claims.get("family_name"), claims.get("middle_name"), claims.get("given_name"))
        name = " ".join(str(part).strip() for part in parts if part)
    return " ".join(name.split())[:255]


def _snapshot(user: User) -> dict[str, Any]:
    return {
        "username": user.username,
        "kind": user.kind,
        "full_name": user.full_name,
        "email": user.email,
        "phone": user.phone,
        "external_subject": user.external_subject,
    }


def account_for_vneid(*, issuer: str, subject: str, claims: dict[str, Any]) -> User:
    """The account an identity proven by the provider logs into: linked before, linked now by its
    CCCD, or created. Writes an audit event when it links or creates."""
    link = external_subject(issuer, subject)
    cccd = _cccd(claims)
    try:
        with transaction.atomic():
            user = User.objects.select_for_update().filter(external_subject=link).first()
            if user is not None:
                _refuse_inactive(user)
                return user
            if not cccd:
                raise VneidError(
                    _(
                        "Tài khoản VNeID không cung cấp số định danh cá nhân (CCCD) nên chưa thể đăng nhập vào Sen. "
                        "Vui lòng đăng nhập bằng tài khoản của Sen."
                    ),
                    code="vneid_no_national_id",
                )
            user = User.objects.select_for_update().filter(Q(national_id=cccd) | Q(username=cccd)).first()
            if user is None:
                return _create_citizen(link=link, cccd=cccd, claims=claims)
            _link(user, link=link)
    except IntegrityError as exc:  # the same person's first login, twice at once
        raise VneidError() from exc
    return user


def _refuse_inactive(user: User) -> None:
    if not user.is_active:
        raise VneidError(_("Tài khoản này đã bị khóa. Vui lòng liên hệ quản trị viên."), code="vneid_inactive")


def _link(user: User, *, link: str) -> None:
    if user.kind != User.Kind.CITIZEN:
        raise VneidError(
            _("Số định danh này không thuộc tài khoản công dân; vui lòng đăng nhập bằng tài khoản của Sen."),
            code="vneid_not_citizen",
        )
    if user.external_subject:
        raise VneidError(
            _("Tài khoản Sen của bạn đã được liên kết với một danh tính VNeID khác. Vui lòng liên hệ quản trị viên."),
            code="vneid_already_linked",
        )
    _refuse_inactive(user)
    before = _snapshot(user)
    user.external_subject = link
    user.save(update_fields=["external_subject"])
    audit.record(actor=user, action="identity.user.link_vneid", obj=user, before=before, after=_snapshot(user))


def _create_citizen(*, link: str, cccd: str, claims: dict[str, Any]) -> User:
    email = str(claims.get("email") or "").strip().lower()
    phone = re.sub(r"[\s.()-]", "", str(claims.get("phone_number") or ""))
    if phone.startswith("+84"):
        phone = "0" + phone[3:]
    user = User(
        username=cccd,
        national_id=cccd,
        kind=User.Kind.CITIZEN,
        full_name=_full_name(claims) or cccd,
        email=email if len(email) <= 254 and "@" in email else "",
        phone=phone if re.fullmatch(r"0[0-9]{9}", phone) else "",
        external_subject=link,
    )
    user.set_unusable_password()
    user.save(force_insert=True)
    audit.record(actor=None, action="identity.user.register_vneid", obj=user, after=_snapshot(user))
    return user
