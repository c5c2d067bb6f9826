"""Numbers from registers (Decree 30/2020, Article 15 for outgoing numbers, Article 22 for incoming).

A register counts per calendar year from 01. The counter row of (register, year) is locked with
select_for_update inside the caller's transaction: a rolled-back numbering gives its number back, and
concurrent ones wait for each other, so there are no gaps and — with the unique constraints on the
documents — no duplicates. Secret documents have registers of their own, hence series of their own.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from sen.core.exceptions import Conflict
from sen.core.models import OrgUnit
from sen.documents.choices import DocumentType, type_abbreviation
from sen.documents.models import Register, RegisterCounter, UnitProfile


def register_for(body: OrgUnit, direction: str, *, secret: bool) -> Register:
    register = Register.objects.filter(body=body, direction=direction, is_secret=secret, active=True).first()
    if register is None:
        raise Conflict(
            _("%(body)s chưa có sổ %(kind)s%(secret)s đang dùng.")
            % {
                "body": body.name,
                "kind": _("văn bản đi") if direction == "out" else _("văn bản đến"),
                "secret": _(" mật") if secret else "",
            },
            code="register_missing",
        )
    return register


def next_number(register: Register, year: int) -> int:
    """The next number of `register` in `year`. Call inside the numbering transaction."""
    counter = RegisterCounter.objects.select_for_update().filter(register=register, year=year).first()
    if counter is None:
        try:
            with transaction.atomic():
                RegisterCounter.objects.create(register=register, year=year, last=0)
        except IntegrityError:
            pass  # created by a concurrent numbering: lock theirs
        counter = RegisterCounter.objects.select_for_update().get(register=register, year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last


def abbreviation_of(unit: OrgUnit) -> str:
    profile = UnitProfile.objects.filter(unit=unit).first()
    if profile is not None and profile.abbreviation:
        return profile.abbreviation
    return unit.short_name or ""


def symbol_for(doc_type: str, *, body: OrgUnit, drafting_unit: OrgUnit) -> str:
    """The ký hiệu: "QĐ-UBND" for a typed document; "UBND-VP" for a công văn (the body, then the
    drafting unit or field)."""
    body_abbreviation = abbreviation_of(body)
    if not body_abbreviation:
        raise Conflict(
            _("%(body)s chưa có chữ viết tắt tên cơ quan để ghi ký hiệu văn bản.") % {"body": body.name},
            code="abbreviation_missing",
        )
    if doc_type == DocumentType.CONG_VAN:
        drafting = abbreviation_of(drafting_unit) if drafting_unit.pk != body.pk else ""
        return "-".join(part for part in (body_abbreviation, drafting) if part)
    return f"{type_abbreviation(doc_type)}-{body_abbreviation}"


def reference_text(number: int, symbol: str) -> str:
    """ "05/QĐ-UBND": the number with at least two digits (Decree 30: numbers below 10 take a 0)."""
    return f"{number:02d}/{symbol}"
