"""Reading people: their posts and roles, with the related rows a page needs in one go."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import QuerySet
from django_otp.plugins.otp_totp.models import TOTPDevice

from sen.identity import policies
from sen.identity.models import Employment, RoleGrant, User


def employment_history(user: User) -> QuerySet[Employment]:
    """Every post the person has held, newest first."""
    return Employment.objects.filter(user=user).select_related("unit").order_by("-valid_from", "-id")


def role_grants_valid(user: User, *, on: dt.date | None = None) -> QuerySet[RoleGrant]:
    """The grants valid on `on` (default today)."""
    return (
        RoleGrant.objects.filter(policies.valid_on(on), user=user)
        .select_related("role", "unit")
        .order_by("role_id", "unit__path", "id")
    )


def role_grant_history(user: User) -> QuerySet[RoleGrant]:
    return RoleGrant.objects.filter(user=user).select_related("role", "unit").order_by("-valid_from", "-id")


def has_confirmed_totp(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


@dataclass
class Profile:
    """What "Thông tin của tôi" and GET /api/v1/me show."""

    user: User
    employment: Employment | None
    grants: list[RoleGrant] = field(default_factory=list)
    history: list[Employment] = field(default_factory=list)
    grant_history: list[RoleGrant] = field(default_factory=list)
    has_totp: bool = False


def profile_of(user: User, *, with_history: bool = True) -> Profile:
    return Profile(
        user=user,
        employment=policies.current_employment(user),
        grants=list(role_grants_valid(user)),
        history=list(employment_history(user)) if with_history else [],
        grant_history=list(role_grant_history(user)) if with_history else [],
        has_totp=has_confirmed_totp(user),
    )
