"""Sen as an OpenID Connect provider (django-oauth-toolkit): the claims it hands to relying parties.

Issuer. django-oauth-toolkit derives the issuer from the request: `<scheme>://<host>/o`, the prefix of
its own discovery document (/o/.well-known/openid-configuration). The document at the site root
(/.well-known/openid-configuration) is the same view, so it says the same issuer, and the ID tokens'
`iss` is built the same way. Setting OIDC_ISSUER (→ OIDC_ISS_ENDPOINT) fixes the issuer for every
request instead (recommended in production behind a proxy); the endpoints then use its host.

Claims, by scope (what a relying party may ask for):
- openid:      sub — the account's primary key, a string; never reused, not personal data.
- profile:     name; account_kind (staff / citizen / business); preferred_username — the login for
               staff (official e-mail) and businesses (tax code, public anyway), but never for a
               citizen, whose login is their CCCD; for staff also unit_code, unit_name and position
               of their post today (Vietnam time), absent when they hold none.
- email:       email; email_verified — true only for staff (their official mailbox is issued by the
               province and is their login), false otherwise (Sen does not verify citizens' e-mails).
- national_id: national_id — a citizen's 12-digit CCCD. A separate scope, so a relying party
               has to ask for it by name and the person sees it on the consent page
               (templates/oauth2_provider/authorize.html). Applications marked trusted
               (skip_authorization, set by `manage.py oidc_client --trusted`: the province's own
               systems) skip the consent page.
Empty claims are left out rather than sent as null.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from oauth2_provider.models import AbstractApplication, get_application_model
from oauth2_provider.oauth2_validators import OAuth2Validator
from oauth2_provider.views import ConnectDiscoveryInfoView

from sen.core import audit
from sen.core.exceptions import InvalidInput
from sen.identity import policies
from sen.identity.models import User

# Claim → the scope that releases it (added to the standard OpenID Connect table).
SEN_CLAIM_SCOPES: dict[str, str] = {
    "sub": "openid",
    "name": "profile",
    "preferred_username": "profile",
    "account_kind": "profile",
    "unit_code": "profile",
    "unit_name": "profile",
    "position": "profile",
    "email": "email",
    "email_verified": "email",
    "national_id": "national_id",
}

# GET /.well-known/openid-configuration: django-oauth-toolkit's own discovery view (public, it
# carries login_not_required), served at the root as well as under /o/. Both say the same issuer.
openid_configuration = ConnectDiscoveryInfoView.as_view()


def user_claims(user: User) -> dict[str, Any]:
    """Every claim Sen can tell about `user`; the validator keeps those the granted scopes allow."""
    claims: dict[str, Any] = {
        "name": user.full_name or user.get_full_name() or user.username,
        "account_kind": user.kind,
        "email": user.email,
        "email_verified": user.kind == User.Kind.STAFF and bool(user.email),
    }
    if user.kind != User.Kind.CITIZEN:
        claims["preferred_username"] = user.username
    if user.kind == User.Kind.STAFF:
        employment = policies.current_employment(user)
        if employment is not None:
            claims["unit_code"] = employment.unit.code
            claims["unit_name"] = employment.unit.name
            claims["position"] = employment.position
    if user.kind == User.Kind.CITIZEN and user.national_id:
        claims["national_id"] = user.national_id
    return claims


class SenOAuth2Validator(OAuth2Validator):
    """Claims Sen puts in ID tokens and the userinfo response; PKCE for public clients."""

    oidc_claim_scope = {**OAuth2Validator.oidc_claim_scope, **SEN_CLAIM_SCOPES}

    def get_additional_claims(self, request: Any) -> dict[str, Any]:
        return user_claims(request.user)

    def get_oidc_claims(self, token: Any, token_handler: Any, request: Any) -> dict[str, Any]:
        claims = super().get_oidc_claims(token, token_handler, request)
        return {key: value for key, value in claims.items() if value not in (None, "")}

    def get_discovery_claims(self, request: Any) -> list[str]:
        return sorted(SEN_CLAIM_SCOPES)

    def is_pkce_required(self, client_id: str, request: Any) -> bool:
        """A public client (no secret: a mobile or single-page app) must use PKCE; a confidential
        client may (Sen's own VNeID client always does)."""
        application_model = get_application_model()
        client_type = (
            application_model.objects.filter(client_id=client_id).values_list("client_type", flat=True).first()
        )
        return client_type != application_model.CLIENT_CONFIDENTIAL


def _application_snapshot(application: AbstractApplication) -> dict[str, Any]:
    return {
        "name": application.name,
        "client_id": application.client_id,
        "client_type": application.client_type,
        "redirect_uris": application.redirect_uris,
        "skip_authorization": application.skip_authorization,
        "algorithm": application.algorithm,
    }


def oidc_client_save(
    *,
    actor: Any,
    name: str,
    redirect_uris: list[str],
    trusted: bool = False,
    public: bool = False,
    client_id: str = "",
    client_secret: str = "",
    rotate_secret: bool = False,
) -> tuple[AbstractApplication, str]:
    """Register (or update) a relying party: authorization code grant, ID tokens signed RS256.

    The application is found by `client_id` when given, else by `name`. A `trusted` application
    (a provincial system) skips the consent page. Secrets are stored hashed, so the clear secret is
    returned only when it is set now — on creation, with `rotate_secret`, or when `client_secret` is
    given — and is "" otherwise."""
    application_model = get_application_model()
    with transaction.atomic():
        lookup = {"client_id": client_id} if client_id else {"name": name}
        application = application_model.objects.select_for_update().filter(**lookup).order_by("pk").first()
        before = _application_snapshot(application) if application else None
        if application is None:
            application = application_model(name=name, **({"client_id": client_id} if client_id else {}))
        new_secret = ""
        if public:
            application.client_secret = ""
        elif client_secret or rotate_secret or before is None:
            new_secret = client_secret or secrets.token_urlsafe(48)
            application.client_secret = new_secret
        application.name = name
        application.redirect_uris = " ".join(redirect_uris)
        application.client_type = application_model.CLIENT_PUBLIC if public else application_model.CLIENT_CONFIDENTIAL
        application.authorization_grant_type = application_model.GRANT_AUTHORIZATION_CODE
        application.algorithm = application_model.RS256_ALGORITHM
        application.skip_authorization = trusted
        try:
            application.full_clean(exclude=["user"])
        except ValidationError as exc:
            raise InvalidInput(_("Thông tin ứng dụng không hợp lệ."), details=exc.message_dict) from exc
        application.save()
        audit.record(
            actor=actor,
            action="identity.oidc_client.create" if before is None else "identity.oidc_client.update",
            obj=application,
            before=before,
            after=_application_snapshot(application),
        )
    return application, new_secret
