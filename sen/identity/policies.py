"""Who holds which role where, on which date. Services, views, the API and jobs all ask here.

A grant is valid on day D when valid_from <= D < valid_to (valid_to exclusive, None = open).
A grant of a role with `inherits_down` on unit U also covers every unit below U in the tree
(by the materialised path prefix); a grant of any other role covers U alone.
Dates default to today in Vietnam time (settings.TIME_ZONE is Asia/Ho_Chi_Minh).
"""

from __future__ import annotations

import datetime as dt
from functools import reduce
from operator import or_
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone

from sen.core.models import OrgUnit
from sen.identity.models import Employment, RoleGrant, User

# Role codes (seeded by migration 0002_seed_roles).
ONE_STOP_OFFICER = "one_stop_officer"
SPECIALIST = "specialist"
LEADER = "leader"
CLERK = "clerk"
UNIT_ADMIN = "unit_admin"
PROVINCE_ADMIN = "province_admin"
ROLE_CODES = (ONE_STOP_OFFICER, SPECIALIST, LEADER, CLERK, UNIT_ADMIN, PROVINCE_ADMIN)
# Holders of these roles are Django staff users (they may open the admin site).
ADMIN_ROLE_CODES = (UNIT_ADMIN, PROVINCE_ADMIN)


def today() -> dt.date:
    return timezone.localdate()


def valid_on(on: dt.date | None = None, prefix: str = "") -> Q:
    """Q for rows whose [valid_from, valid_to) period contains `on`."""
    day = on or today()
    return Q(**{f"{prefix}valid_from__lte": day}) & (
        Q(**{f"{prefix}valid_to__isnull": True}) | Q(**{f"{prefix}valid_to__gt": day})
    )


def _is_person(user: Any) -> bool:
    return user is not None and getattr(user, "is_authenticated", False) and getattr(user, "is_active", False)


def _grants(user: Any, *, on: dt.date | None) -> QuerySet[RoleGrant]:
    if not _is_person(user):
        return RoleGrant.objects.none()
    return RoleGrant.objects.filter(valid_on(on), user_id=user.pk)


def roles_of(user: Any, *, on: dt.date | None = None) -> list[tuple[str, OrgUnit]]:
    """(role code, unit granted on) for every grant valid on `on`, in a stable order."""
    grants = _grants(user, on=on).select_related("role", "unit").order_by("role_id", "unit__path", "id")
    return [(grant.role.code, grant.unit) for grant in grants]


def has_role(user: Any, role_code: str, unit: OrgUnit, *, on: dt.date | None = None) -> bool:
    """Does `user` hold `role_code` on `unit` on `on` — directly, or through an inheriting grant
    on one of its ancestors?"""
    if unit is None or unit.pk is None:
        return False
    ancestors = unit.ancestor_ids() or [unit.pk]
    return (
        _grants(user, on=on)
        .filter(role__code=role_code)
        .filter(Q(unit_id=unit.pk) | Q(role__inherits_down=True, unit_id__in=ancestors))
        .exists()
    )


def current_employment(user: Any, *, on: dt.date | None = None) -> Employment | None:
    """The person's post on `on` (at most one: posts do not overlap)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return (
        Employment.objects.filter(valid_on(on), user_id=user.pk)
        .select_related("unit", "unit__kind")
        .order_by("-valid_from", "-id")
        .first()
    )


def units_where(user: Any, role_code: str, *, on: dt.date | None = None) -> QuerySet[OrgUnit]:
    """The units `role_code` covers for `user` on `on`: the units granted on and, for an inheriting
    role, every unit below them."""
    grants = list(
        _grants(user, on=on).filter(role__code=role_code).values_list("unit_id", "unit__path", "role__inherits_down")
    )
    if not grants:
        return OrgUnit.objects.none()
    conditions = [Q(pk__in=[unit_id for unit_id, _path, _inherits in grants])]
    conditions += [Q(path__startswith=path) for _unit_id, path, inherits in grants if inherits and path]
    return OrgUnit.objects.filter(reduce(or_, conditions))


def is_province_admin(user: Any, *, on: dt.date | None = None) -> bool:
    """Holds the province admin role on some unit today (superusers count as province admins)."""
    if not _is_person(user):
        return False
    if user.is_superuser:
        return True
    return _grants(user, on=on).filter(role__code=PROVINCE_ADMIN).exists()


def can_manage_people(actor: Any, unit: OrgUnit, *, role_code: str = "") -> bool:
    """May `actor` create staff in, transfer staff to, or grant `role_code` on `unit`?

    `actor=None` is the system (management commands, the demo). Province admins may do anything;
    a unit admin may manage the units below their grant, but not hand out admin roles."""
    if actor is None:
        return True
    if is_province_admin(actor):
        return True
    if role_code in ADMIN_ROLE_CODES:
        return False
    return has_role(actor, UNIT_ADMIN, unit)


def second_factor_required(user: User) -> bool:
    """Must this person log in with TOTP? Staff holding a role listed in SEN_2FA_REQUIRED_ROLES."""
    required = set(settings.SEN_2FA_REQUIRED_ROLES)
    if not required or user.kind != User.Kind.STAFF:
        return False
    return _grants(user, on=None).filter(role__code__in=required).exists()


def may_use_totp(user: Any) -> bool:
    """TOTP is offered to staff accounts."""
    return _is_person(user) and user.kind == User.Kind.STAFF
