"""Setting a body up for documents: how a unit is written on them (UnitProfile) and its registers.

Opening an outgoing register is what makes a unit an issuing body (sen.documents.policies.body_of).
`actor=None` is the system (the demo, management commands); otherwise a province admin, or the unit
admin of the body.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from sen.core import audit
from sen.core.exceptions import Conflict, InvalidInput, PermissionDenied
from sen.core.models import OrgUnit
from sen.documents.choices import Direction
from sen.documents.models import Register, UnitProfile
from sen.identity import policies as identity

ABBREVIATION_CHARS = set("ABCDEFGHIJKLMNOPQRSTUVWXYZĐ0123456789")


def _may_set_up(actor: Any, unit: OrgUnit) -> bool:
    return actor is None or identity.is_province_admin(actor) or identity.has_role(actor, identity.UNIT_ADMIN, unit)


def unit_profile_set(
    *, actor: Any, unit: OrgUnit, abbreviation: str, place: str = "", heading: str = ""
) -> UnitProfile:
    """Create or change how `unit` is written on documents."""
    if not _may_set_up(actor, unit):
        raise PermissionDenied(_("Chỉ quản trị của đơn vị hoặc của tỉnh thiết lập được thông tin này."))
    abbreviation = (abbreviation or "").strip().upper()
    if not abbreviation or len(abbreviation) > 20 or not set(abbreviation) <= ABBREVIATION_CHARS:
        raise InvalidInput(
            _("Chữ viết tắt tên đơn vị chỉ gồm chữ in hoa và chữ số, tối đa 20 ký tự (ví dụ UBND, STP)."),
            details={"field": "abbreviation"},
            code="invalid_abbreviation",
        )
    with transaction.atomic():
        profile = UnitProfile.objects.select_for_update().filter(unit=unit).first()
        before = (
            {"abbreviation": profile.abbreviation, "place": profile.place, "heading": profile.heading}
            if profile
            else None
        )
        wanted = {"abbreviation": abbreviation, "place": (place or "").strip()[:80], "heading": (heading or "").strip()}
        if profile is not None and before == wanted:
            return profile  # unchanged: nothing to record
        profile = profile or UnitProfile(unit=unit)
        profile.abbreviation = wanted["abbreviation"]
        profile.place = wanted["place"]
        profile.heading = wanted["heading"]
        profile.save()
        audit.record(
            actor=actor,
            action="documents.unit_profile.set",
            obj=profile,
            before=before,
            after={"abbreviation": profile.abbreviation, "place": profile.place, "heading": profile.heading},
            acting_unit=unit,
        )
    return profile


# The name a register gets when none is given: it heads the printed register, so Vietnamese whoever opens it.
DEFAULT_REGISTER_NAMES = {
    (Direction.OUTGOING, False): "Sổ văn bản đi",
    (Direction.OUTGOING, True): "Sổ văn bản đi mật",
    (Direction.INCOMING, False): "Sổ văn bản đến",
    (Direction.INCOMING, True): "Sổ văn bản đến mật",
}


def register_open(*, actor: Any, body: OrgUnit, direction: str, secret: bool = False, name: str = "") -> Register:
    """Open a register of `body`; one active register per body, direction and secrecy."""
    if not _may_set_up(actor, body):
        raise PermissionDenied(_("Chỉ quản trị của đơn vị hoặc của tỉnh mở được sổ văn bản."))
    if direction not in Direction.values:
        raise InvalidInput(_("Loại sổ không hợp lệ."), details={"field": "direction"}, code="invalid_choice")
    default = DEFAULT_REGISTER_NAMES[(Direction(direction), bool(secret))]
    name = (name or "").strip()[:200] or f"{default} — {body.name}"
    try:
        with transaction.atomic():
            register = Register.objects.create(body=body, direction=direction, is_secret=bool(secret), name=name)
            audit.record(
                actor=actor,
                action="documents.register.open",
                obj=register,
                after={"direction": direction, "secret": bool(secret), "name": name},
                acting_unit=body,
            )
    except IntegrityError:
        raise Conflict(_("Cơ quan đã có sổ này đang dùng."), code="register_exists") from None
    return register


def body_set_up(*, actor: Any, body: OrgUnit, abbreviation: str, place: str = "", heading: str = "") -> list[Register]:
    """Make `body` an issuing body: its profile and the four registers (out, in, each also secret).
    Idempotent: registers already open are kept."""
    unit_profile_set(actor=actor, unit=body, abbreviation=abbreviation, place=place, heading=heading)
    registers = []
    for direction in (Direction.OUTGOING, Direction.INCOMING):
        for secret in (False, True):
            existing = Register.objects.filter(body=body, direction=direction, is_secret=secret, active=True).first()
            registers.append(existing or register_open(actor=actor, body=body, direction=direction, secret=secret))
    return registers
