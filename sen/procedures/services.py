"""Writing the catalogue. A published version is never edited: `procedure_publish` stores a spec as
a new version and supersedes the current one, in one transaction, with one audit event.

Import and demo call the same service, so a re-import of an unchanged record changes nothing
(the spec's content hash equals the current version's) and a changed one makes a new version.
"""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from sen.core import audit
from sen.core.exceptions import InvalidInput
from sen.core.models import OrgUnit
from sen.core.text import fold
from sen.identity.models import Role
from sen.procedures.choices import Channel, Level, OnlineLevel, Source, TimeUnit, VersionStatus
from sen.procedures.eforms import eform_definition_check
from sen.procedures.models import (
    ChannelOption,
    Component,
    ComponentForm,
    Fee,
    Field,
    Procedure,
    ProcedureVersion,
    WorkflowStep,
)
from sen.procedures.parsing import ParseReport, parse_file
from sen.procedures.specs import ChannelSpec, ComponentSpec, FeeSpec, FormSpec, ProcedureSpec, StepSpec

logger = logging.getLogger(__name__)

FORM_TYPES = {
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
MAX_FORM_BYTES = 10 * 1024 * 1024
HUNDRED = Decimal("100")


# --- Validation ---------------------------------------------------------------------------------
def workflow_check(steps: list[StepSpec]) -> None:
    """Steps need a known role and a positive share; the shares add up to exactly 100%."""
    if not steps:
        raise InvalidInput(_("Quy trình nội bộ cần ít nhất một bước."))
    known_roles = set(Role.objects.filter(code__in={s.role_code for s in steps}).values_list("code", flat=True))
    for position, step in enumerate(steps, start=1):
        if not step.name.strip():
            raise InvalidInput(_("Bước %(n)s của quy trình chưa có tên.") % {"n": position})
        if step.role_code not in known_roles:
            raise InvalidInput(
                _("Bước %(n)s: vai trò “%(role)s” không tồn tại.") % {"n": position, "role": step.role_code}
            )
        if not Decimal("0") < step.share_percent <= HUNDRED:
            raise InvalidInput(_("Bước %(n)s: tỷ lệ thời gian phải lớn hơn 0 và không quá 100%%.") % {"n": position})
    total = sum((step.share_percent for step in steps), Decimal("0"))
    if total != HUNDRED:
        raise InvalidInput(
            _("Tổng tỷ lệ thời gian của các bước phải bằng 100%% (hiện là %(total)s%%).")
            % {"total": format(total.normalize(), "f")},
            details={"total_percent": str(total)},
        )
    unit_ids = {s.unit_id for s in steps if s.unit_id is not None}
    if unit_ids and OrgUnit.objects.filter(id__in=unit_ids).count() != len(unit_ids):
        raise InvalidInput(_("Quy trình nội bộ nêu một đơn vị không tồn tại."))


def _spec_check(spec: ProcedureSpec) -> list[dict[str, Any]]:
    if not spec.code.strip() or not spec.name.strip():
        raise InvalidInput(_("Thủ tục cần mã và tên."))
    if not spec.levels or set(spec.levels) - set(Level.values):
        raise InvalidInput(_("Cấp thực hiện không hợp lệ."))
    if spec.online_level not in OnlineLevel.values:
        raise InvalidInput(_("Mức độ trực tuyến không hợp lệ."))
    if (spec.processing_amount is None) != (spec.processing_unit == ""):
        raise InvalidInput(_("Thời hạn giải quyết cần cả số lượng và đơn vị."))
    if spec.processing_unit and spec.processing_unit not in TimeUnit.values:
        raise InvalidInput(_("Đơn vị thời hạn không hợp lệ."))
    for option in spec.channels:
        if option.channel not in Channel.values or (option.unit and option.unit not in TimeUnit.values):
            raise InvalidInput(_("Cách thức nộp không hợp lệ."))
    for fee in spec.fees:
        if fee.amount_vnd < 0 or (fee.channel and fee.channel not in Channel.values):
            raise InvalidInput(_("Phí, lệ phí không hợp lệ."))
    for component in spec.components:
        for form in component.forms:
            _form_check(form)
    workflow_check(spec.workflow)
    return eform_definition_check(spec.eform)


def _form_check(form: FormSpec) -> None:
    suffix = Path(form.filename).suffix.lower()
    if suffix not in FORM_TYPES or "/" in form.filename or "\\" in form.filename:
        raise InvalidInput(_("Mẫu đơn phải là tệp .docx hoặc .xlsx: %(name)s") % {"name": form.filename})
    # Both formats are ZIP packages: the content must say so, whatever the name says.
    if not form.content.startswith(b"PK\x03\x04") or len(form.content) > MAX_FORM_BYTES:
        raise InvalidInput(_("Tệp mẫu đơn không đúng định dạng hoặc quá lớn: %(name)s") % {"name": form.filename})


def _store_form(form: FormSpec) -> str:
    """Content-addressed: the same bytes are stored once and never overwritten."""
    path = f"procedures/forms/{form.sha256[:2]}/{form.sha256}/{form.filename}"
    if not default_storage.exists(path):
        saved = default_storage.save(path, ContentFile(form.content))
        if saved != path:  # a storage must not rename a content-addressed file
            raise RuntimeError(f"storage renamed {path} to {saved}")
    return path


# --- Publishing ---------------------------------------------------------------------------------
def _field_for(name: str, actor: Any) -> Field:
    found = Field.objects.filter(name=name).first()
    if found:
        return found
    base = slugify(fold(name))[:110] or "linh-vuc"
    code, n = base, 1
    while Field.objects.filter(code=code).exists():
        n += 1
        code = f"{base}-{n}"
    created = Field.objects.create(code=code, name=name)
    audit.record(actor=actor, action="procedures.field.create", obj=created, after={"code": code, "name": name})
    return created


def procedure_publish(*, actor: Any, spec: ProcedureSpec, change_note: str = "") -> tuple[ProcedureVersion, bool]:
    """Publish `spec` as the procedure's new current version. Returns (version, changed): an
    unchanged spec returns the current version and changes nothing."""
    eform = _spec_check(spec)
    spec = dataclasses.replace(spec, eform=eform)
    content_hash = spec.content_hash()
    stored_forms = {form.sha256: _store_form(form) for c in spec.components for form in c.forms}
    with transaction.atomic():
        procedure, _created = Procedure.objects.get_or_create(code=spec.code.strip())
        procedure = Procedure.objects.select_for_update().get(pk=procedure.pk)
        current = ProcedureVersion.objects.filter(procedure=procedure, status=VersionStatus.PUBLISHED).first()
        if current is not None and current.content_hash == content_hash:
            return current, False
        if current is not None:
            # The only change a published version ever sees.
            ProcedureVersion.objects.filter(pk=current.pk).update(status=VersionStatus.SUPERSEDED)
        number = (procedure.versions.aggregate(top=Max("number"))["top"] or 0) + 1
        version = ProcedureVersion.objects.create(
            procedure=procedure,
            number=number,
            status=VersionStatus.PUBLISHED,
            published_at=timezone.now(),
            published_by=actor if getattr(actor, "is_authenticated", False) else None,
            change_note=change_note[:500],
            source=spec.source,
            source_url=spec.source_url,
            content_hash=content_hash,
            name=spec.name.strip(),
            name_folded=fold(spec.name)[:2000],
            field=_field_for(spec.field_name.strip(), actor),
            levels="," + ",".join(sorted(set(spec.levels), key=Level.values.index)) + ",",
            decision_no=spec.decision_no,
            procedure_type=spec.procedure_type,
            steps=spec.steps,
            channels_text=spec.channels_text,
            applicants=spec.applicants,
            agency=spec.agency,
            agency_folded=fold(spec.agency),
            processing_amount=spec.processing_amount,
            processing_unit=spec.processing_unit,
            processing_note=spec.processing_note,
            result=spec.result,
            online_level=spec.online_level,
            legal_basis=spec.legal_basis,
            conditions=spec.conditions,
            component_notes=spec.component_notes,
            eform=spec.eform,
            parse_issues=spec.parse_issues,
        )
        _create_children(version, spec, stored_forms)
        procedure.current_version = version
        procedure.save(update_fields=["current_version"])
        audit.record(
            actor=actor,
            action="procedures.version.publish",
            obj=procedure,
            before={"version": current.number, "hash": current.content_hash} if current else None,
            after={"version": number, "hash": content_hash, "note": change_note[:500]},
        )
    return version, True


def _create_children(version: ProcedureVersion, spec: ProcedureSpec, stored_forms: dict[str, str]) -> None:
    ChannelOption.objects.bulk_create(
        ChannelOption(
            version=version,
            order=i,
            channel=o.channel,
            amount=o.amount,
            unit=o.unit,
            fee_text=o.fee_text,
            description=o.description,
        )
        for i, o in enumerate(spec.channels)
    )
    Fee.objects.bulk_create(
        Fee(
            version=version,
            order=i,
            channel=f.channel,
            amount_vnd=f.amount_vnd,
            per_item=f.per_item,
            item_label=f.item_label,
            description=f.description,
        )
        for i, f in enumerate(spec.fees)
    )
    components = Component.objects.bulk_create(
        Component(
            version=version,
            order=i,
            group=c.group,
            name=c.name,
            originals=c.originals,
            copies=c.copies,
            required=c.required,
        )
        for i, c in enumerate(spec.components)
    )
    forms = []
    for component, component_spec in zip(components, spec.components, strict=True):
        for i, form in enumerate(component_spec.forms):
            row = ComponentForm(
                component=component,
                order=i,
                title=form.title,
                filename=form.filename,
                sha256=form.sha256,
                size=len(form.content),
                content_type=FORM_TYPES[Path(form.filename).suffix.lower()],
            )
            row.file.name = stored_forms[form.sha256]
            forms.append(row)
    ComponentForm.objects.bulk_create(forms)
    WorkflowStep.objects.bulk_create(
        WorkflowStep(
            version=version,
            order=i + 1,
            name=s.name,
            role_code=s.role_code,
            unit_id=s.unit_id,
            share_percent=s.share_percent,
        )
        for i, s in enumerate(spec.workflow)
    )


def spec_from_version(version: ProcedureVersion) -> ProcedureSpec:
    """The spec a version was published from: change it and publish it again to make a new version."""
    components = []
    for component in version.components.prefetch_related("forms"):
        forms = []
        for form in component.forms.all():
            with form.file.open("rb") as handle:
                forms.append(FormSpec(title=form.title, filename=form.filename, content=handle.read()))
        components.append(
            ComponentSpec(
                name=component.name,
                group=component.group,
                originals=component.originals,
                copies=component.copies,
                required=component.required,
                forms=tuple(forms),
            )
        )
    return ProcedureSpec(
        code=version.procedure.code,
        name=version.name,
        field_name=version.field.name,
        levels=version.level_codes,
        decision_no=version.decision_no,
        procedure_type=version.procedure_type,
        steps=version.steps,
        channels_text=version.channels_text,
        applicants=version.applicants,
        agency=version.agency,
        processing_amount=version.processing_amount,
        processing_unit=version.processing_unit,
        processing_note=version.processing_note,
        result=version.result,
        online_level=version.online_level,
        legal_basis=version.legal_basis,
        conditions=version.conditions,
        source=version.source,
        source_url=version.source_url,
        channels=[
            ChannelSpec(o.channel, o.amount, o.unit, o.fee_text, o.description) for o in version.channel_options.all()
        ],
        fees=[FeeSpec(f.amount_vnd, f.description, f.per_item, f.item_label, f.channel) for f in version.fees.all()],
        components=components,
        component_notes=version.component_notes,
        eform=list(version.eform),
        workflow=[StepSpec(s.name, s.role_code, s.share_percent, s.unit_id) for s in version.workflow_steps.all()],
        parse_issues=list(version.parse_issues),
    )


def procedure_workflow_set(
    *, actor: Any, procedure: Procedure, steps: list[StepSpec], change_note: str = ""
) -> ProcedureVersion:
    """A new internal workflow is a new version of the procedure."""
    if procedure.current_version is None:
        raise InvalidInput(_("Thủ tục chưa có phiên bản nào."))
    spec = spec_from_version(procedure.current_version)
    spec = dataclasses.replace(spec, workflow=list(steps), source=Source.PROVINCE)
    version, _changed = procedure_publish(
        actor=actor,
        spec=spec,
        change_note=change_note or "Cập nhật quy trình nội bộ",  # kept: Vietnamese
    )
    return version


# --- Import ---------------------------------------------------------------------------------------
@dataclass
class ImportResult:
    records: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: list[str] = field(default_factory=list)  # records without a code or name, or not JSON
    unreadable: list[tuple[str, list[str]]] = field(default_factory=list)  # (code, issues): imported in part
    without_time: list[str] = field(default_factory=list)
    rejected: list[tuple[str, str]] = field(default_factory=list)  # (code, reason) refused by the service
    kept_province: list[str] = field(default_factory=list)  # current version adjusted by the province: left alone


def procedure_import(
    *, actor: Any, path: Path | None = None, report: ParseReport | None = None, codes: set[str] | None = None
) -> ImportResult:
    """Import national records, idempotently by code. Each record is published in its own
    transaction (one audit event each); unchanged records are left alone."""
    report = report if report is not None else parse_file(path) if path else None
    if report is None:
        raise InvalidInput(_("Cần đường dẫn tệp dữ liệu thủ tục."))
    result = ImportResult()
    for record in report.records:
        if codes is not None and record.code not in codes:
            continue
        result.records += 1
        if record.spec is None:
            result.skipped.append(f"{_('dòng')} {record.line}: {', '.join(record.issues)}")
            continue
        if not record.readable:
            result.unreadable.append((record.code, record.unreadable_issues))
        if record.spec.processing_amount is None:
            result.without_time.append(record.code)
        current_source = (
            Procedure.objects.filter(code=record.code, current_version__isnull=False)
            .values_list("current_version__source", flat=True)
            .first()
        )
        existed = current_source is not None
        if current_source == Source.PROVINCE:
            # The province's e-form, workflow, forms and corrections are not overwritten by the
            # national text; the change is reported so that the province can apply it.
            result.kept_province.append(record.code)
            continue
        try:
            _version, changed = procedure_publish(
                actor=actor, spec=record.spec, change_note="Nhập từ CSDL quốc gia về TTHC"
            )
        except InvalidInput as exc:
            result.rejected.append((record.code, exc.message))
            continue
        if not changed:
            result.unchanged += 1
        elif existed:
            result.updated += 1
        else:
            result.created += 1
    return result
