"""Writing the organisation tree. Each service runs in one transaction, locks the rows it changes
(`select_for_update`, always in path order), records a `UnitChange` and writes one audit event.

The tree is stored twice on purpose: `parent` (the truth) and the materialised `path` of ids
("/1/7/42/", root first, the unit's own id last) with `depth` (the number of ancestors), so that
"everything under this unit" is one indexed prefix query. Only these services write `path`.

Levels are data: a unit's kind is a `UnitKind` row and no code here names one. Units are never
deleted; a merged unit gets `active_to` and a `successor`, and whatever points at it (a post, a
dossier) keeps pointing at it, so history shows the unit as it was.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from sen.core import audit
from sen.core.exceptions import Conflict, InvalidInput, NotFound
from sen.core.models import OrgUnit, UnitChange, UnitKind

__all__ = [
    "unit_create",
    "unit_dissolve",
    "unit_kind_ensure",
    "unit_merge",
    "unit_move",
    "unit_rename",
]


# --- Helpers ----------------------------------------------------------------------------------------


def _snapshot(unit: OrgUnit) -> dict[str, Any]:
    return {
        "code": unit.code,
        "name": unit.name,
        "short_name": unit.short_name,
        "kind": unit.kind.code,
        "parent_id": unit.parent_id,
        "path": unit.path,
        "depth": unit.depth,
        "statistics_code": unit.statistics_code,
        "active_from": unit.active_from,
        "active_to": unit.active_to,
        "successor_id": unit.successor_id,
    }


def _clean(value: str, field: str, message: str) -> str:
    cleaned = " ".join((value or "").split())
    if not cleaned:
        raise InvalidInput(message, details={field: [message]})
    return cleaned


def _kind(kind_code: str) -> UnitKind:
    try:
        return UnitKind.objects.get(code=kind_code)
    except UnitKind.DoesNotExist as exc:
        message = _("Không có loại đơn vị “%(code)s”.") % {"code": kind_code}
        raise InvalidInput(message, details={"kind_code": [message]}) from exc


def _locked(unit: OrgUnit) -> OrgUnit:
    """The unit's current row, locked. Raises NotFound for an unsaved or vanished unit."""
    try:
        return OrgUnit.objects.select_for_update().select_related("kind").get(pk=unit.pk)
    except OrgUnit.DoesNotExist as exc:
        raise NotFound(_("Không tìm thấy đơn vị.")) from exc


def _locked_many(units: Iterable[OrgUnit]) -> dict[int, OrgUnit]:
    """The units' current rows, locked together in primary-key order: two services locking the same
    units in another order would deadlock. Raises NotFound if one is missing."""
    wanted = {unit.pk for unit in units}
    locked = {
        unit.pk: unit
        for unit in OrgUnit.objects.select_for_update().select_related("kind").filter(pk__in=wanted).order_by("pk")
    }
    if None in wanted or len(locked) != len(wanted):
        raise NotFound(_("Không tìm thấy đơn vị."))
    return locked


def _lock_subtree(unit: OrgUnit) -> None:
    """Lock every row under `unit` (inclusive), in path order, before their paths are rewritten."""
    list(OrgUnit.objects.select_for_update().filter(path__startswith=unit.path).order_by("path").values_list("pk"))


def _require_active(unit: OrgUnit, on_date: dt.date, field: str) -> None:
    if unit.active_to is not None or unit.active_from > on_date:
        message = _("Đơn vị “%(name)s” không hoạt động vào ngày %(day)s.") % {
            "name": unit.name,
            "day": on_date.strftime("%d/%m/%Y"),
        }
        raise InvalidInput(message, details={field: [message]})


def _code_taken(code: str) -> Conflict:
    message = _("Mã định danh “%(code)s” đang được một đơn vị khác sử dụng.") % {"code": code}
    return Conflict(message, details={"code": [message]}, code="duplicate_unit_code")


def _insert(
    *,
    code: str,
    name: str,
    kind: UnitKind,
    parent: OrgUnit | None,
    active_from: dt.date,
    statistics_code: str = "",
    short_name: str = "",
) -> OrgUnit:
    """Insert a unit and set its path (the id is needed for it). Caller holds the parent's lock."""
    if OrgUnit.objects.filter(code=code, active_to__isnull=True).exists():
        raise _code_taken(code)
    try:
        unit = OrgUnit.objects.create(
            code=code,
            name=name,
            short_name=short_name,
            kind=kind,
            parent=parent,
            statistics_code=statistics_code,
            active_from=active_from,
            path="",
            depth=parent.depth + 1 if parent else 0,
        )
    except IntegrityError as exc:
        # A concurrent create with the same code. The caller's transaction is rolled back as this
        # error leaves it, so no savepoint is needed here.
        raise _code_taken(code) from exc
    unit.path = f"{parent.path if parent else '/'}{unit.pk}/"
    unit.save(update_fields=["path"])
    return unit


def _move(unit: OrgUnit, new_parent: OrgUnit) -> None:
    """Re-hang `unit` (locked, with its subtree) under `new_parent`: one UPDATE rewrites the prefix
    of every path in the subtree and shifts their depths. Portable: SUBSTR and || / CONCAT."""
    old_path = unit.path
    new_path = f"{new_parent.path}{unit.pk}/"
    shift = new_parent.depth + 1 - unit.depth
    OrgUnit.objects.filter(path__startswith=old_path).update(
        path=Concat(Value(new_path), Substr("path", len(old_path) + 1)),
        depth=F("depth") + shift,
    )
    OrgUnit.objects.filter(pk=unit.pk).update(parent=new_parent)
    unit.refresh_from_db(fields=["parent", "path", "depth"])


def _today() -> dt.date:
    return timezone.localdate()


# --- Services ---------------------------------------------------------------------------------------


def unit_kind_ensure(*, actor: Any, code: str, name: str, name_en: str = "", rank: int = 0) -> UnitKind:
    """The kind (level) with this code, created if missing. An existing kind is returned unchanged."""
    existing = UnitKind.objects.filter(code=code).first()
    if existing is not None:
        return existing
    name = _clean(name, "name", _("Vui lòng nhập tên loại đơn vị."))
    with transaction.atomic():
        kind, created = UnitKind.objects.get_or_create(
            code=code, defaults={"name": name, "name_en": name_en, "rank": rank}
        )
        if created:
            audit.record(
                actor=actor,
                action="core.unitkind.create",
                obj=kind,
                after={"code": code, "name": name, "name_en": name_en, "rank": rank},
            )
    return kind


def unit_create(
    *,
    actor: Any,
    code: str,
    name: str,
    kind_code: str,
    parent: OrgUnit | None = None,
    active_from: dt.date | None = None,
    statistics_code: str = "",
    short_name: str = "",
) -> OrgUnit:
    """A new unit under `parent` (None: a root), active from `active_from` (default today).
    The code must not be used by another active unit."""
    code = _clean(code, "code", _("Vui lòng nhập mã định danh của đơn vị."))
    name = _clean(name, "name", _("Vui lòng nhập tên đơn vị."))
    kind = _kind(kind_code)
    start = active_from or _today()
    with transaction.atomic():
        locked_parent = _locked(parent) if parent is not None else None
        if locked_parent is not None:
            _require_active(locked_parent, start, "parent")
        unit = _insert(
            code=code,
            name=name,
            kind=kind,
            parent=locked_parent,
            active_from=start,
            statistics_code=(statistics_code or "").strip(),
            short_name=(short_name or "").strip(),
        )
        UnitChange.objects.create(
            unit=unit, kind=UnitChange.Kind.CREATE, effective_on=start, new_parent=locked_parent, new_name=name
        )
        audit.record(actor=actor, action="core.unit.create", obj=unit, after=_snapshot(unit))
    return unit


def unit_move(*, actor: Any, unit: OrgUnit, new_parent: OrgUnit, on_date: dt.date) -> OrgUnit:
    """Hang `unit` and everything under it below `new_parent` from `on_date`. Refuses a move under
    the unit itself or one of its descendants, and moves of or to inactive units."""
    with transaction.atomic():
        rows = _locked_many([unit, new_parent])
        locked, target = rows[unit.pk], rows[new_parent.pk]
        if target.path.startswith(locked.path):
            message = _("Không thể chuyển đơn vị “%(name)s” vào chính nó hoặc một đơn vị cấp dưới của nó.") % {
                "name": locked.name
            }
            raise InvalidInput(message, details={"new_parent": [message]})
        if locked.parent_id == target.pk:
            message = _("Đơn vị “%(name)s” đã trực thuộc “%(parent)s”.") % {"name": locked.name, "parent": target.name}
            raise InvalidInput(message, details={"new_parent": [message]})
        _require_active(locked, on_date, "unit")
        _require_active(target, on_date, "new_parent")
        before = _snapshot(locked)
        old_parent = locked.parent
        _lock_subtree(locked)
        _move(locked, target)
        UnitChange.objects.create(
            unit=locked, kind=UnitChange.Kind.MOVE, effective_on=on_date, old_parent=old_parent, new_parent=target
        )
        audit.record(actor=actor, action="core.unit.move", obj=locked, before=before, after=_snapshot(locked))
    return locked


def unit_rename(*, actor: Any, unit: OrgUnit, name: str, on_date: dt.date) -> OrgUnit:
    """Give `unit` a new name from `on_date`; the old name stays in its history (UnitChange)."""
    name = _clean(name, "name", _("Vui lòng nhập tên đơn vị."))
    with transaction.atomic():
        locked = _locked(unit)
        _require_active(locked, on_date, "unit")
        if locked.name == name:
            message = _("Tên mới trùng với tên hiện tại.")
            raise InvalidInput(message, details={"name": [message]})
        before = _snapshot(locked)
        UnitChange.objects.create(
            unit=locked, kind=UnitChange.Kind.RENAME, effective_on=on_date, old_name=locked.name, new_name=name
        )
        locked.name = name
        locked.save(update_fields=["name"])
        audit.record(actor=actor, action="core.unit.rename", obj=locked, before=before, after=_snapshot(locked))
    return locked


def unit_merge(
    *,
    actor: Any,
    units: Iterable[OrgUnit],
    code: str,
    name: str,
    kind_code: str,
    parent: OrgUnit | None,
    on_date: dt.date,
) -> OrgUnit:
    """Merge `units` into a NEW unit under `parent`, active from `on_date`.

    Each old unit gets `active_to = on_date` and `successor = ` the new unit; their active children
    move under the new unit (recorded as moves); their inactive children stay where history put
    them. Posts, dossiers and documents keep pointing at the old units. The new unit may reuse one
    of the old units' codes (codes are unique among active units only)."""
    code = _clean(code, "code", _("Vui lòng nhập mã định danh của đơn vị."))
    name = _clean(name, "name", _("Vui lòng nhập tên đơn vị."))
    kind = _kind(kind_code)
    merged = list(units)
    if not merged:
        message = _("Vui lòng chọn các đơn vị cần hợp nhất.")
        raise InvalidInput(message, details={"units": [message]})
    with transaction.atomic():
        rows = _locked_many([*merged, parent] if parent is not None else merged)
        olds = sorted((rows[unit.pk] for unit in merged), key=lambda unit: unit.path)
        olds = list({unit.pk: unit for unit in olds}.values())
        locked_parent = rows[parent.pk] if parent is not None else None
        for old in olds:
            _require_active(old, on_date, "units")
            if locked_parent is not None and locked_parent.path.startswith(old.path):
                message = _("Đơn vị cha mới không được là “%(name)s” hoặc một đơn vị cấp dưới của nó.") % {
                    "name": old.name
                }
                raise InvalidInput(message, details={"parent": [message]})
        if locked_parent is not None:
            _require_active(locked_parent, on_date, "parent")
        before = [_snapshot(old) for old in olds]
        # Close the old units first: that frees their codes for the new unit.
        for old in olds:
            old.active_to = on_date
            old.save(update_fields=["active_to"])
        new = _insert(code=code, name=name, kind=kind, parent=locked_parent, active_from=on_date)
        UnitChange.objects.create(
            unit=new,
            kind=UnitChange.Kind.CREATE,
            effective_on=on_date,
            new_parent=locked_parent,
            new_name=name,
            note="Hợp nhất từ: " + ", ".join(old.name for old in olds),  # the unit's history: Vietnamese
        )
        moved: list[dict[str, Any]] = []
        for old in olds:
            old.successor = new
            old.save(update_fields=["successor"])
            UnitChange.objects.create(
                unit=old,
                kind=UnitChange.Kind.MERGE,
                effective_on=on_date,
                old_parent=old.parent,
                successor=new,
                old_name=old.name,
                new_name=name,
            )
            children = list(
                OrgUnit.objects.select_for_update().filter(parent=old, active_to__isnull=True).order_by("path")
            )
            for child in children:
                _lock_subtree(child)
                _move(child, new)
                UnitChange.objects.create(
                    unit=child,
                    kind=UnitChange.Kind.MOVE,
                    effective_on=on_date,
                    old_parent=old,
                    new_parent=new,
                    note=f"Chuyển theo việc hợp nhất “{old.name}”.",
                )
                moved.append({"id": child.pk, "from": old.pk, "path": child.path})
        audit.record(
            actor=actor,
            action="core.unit.merge",
            obj=new,
            before={"units": before},
            after={**_snapshot(new), "predecessors": [old.pk for old in olds], "moved_children": moved},
        )
    return new


def unit_dissolve(*, actor: Any, unit: OrgUnit, on_date: dt.date) -> OrgUnit:
    """End `unit` on `on_date` without a successor (e.g. the district level in 2025). Refuses while
    active units remain under it: move or merge them first."""
    with transaction.atomic():
        locked = _locked(unit)
        _require_active(locked, on_date, "unit")
        if OrgUnit.objects.filter(parent=locked, active_to__isnull=True).exists():
            message = _("Đơn vị “%(name)s” vẫn còn đơn vị trực thuộc đang hoạt động.") % {"name": locked.name}
            raise InvalidInput(message, details={"unit": [message]})
        before = _snapshot(locked)
        locked.active_to = on_date
        locked.save(update_fields=["active_to"])
        UnitChange.objects.create(
            unit=locked, kind=UnitChange.Kind.DISSOLVE, effective_on=on_date, old_parent=locked.parent
        )
        audit.record(actor=actor, action="core.unit.dissolve", obj=locked, before=before, after=_snapshot(locked))
    return locked
