"""Writing dossiers: submission through the three channels and the one service that moves state.

Submission. Everything that can be checked without writing is checked first (procedure, e-form,
files by content and size). Each upload is then written to storage under a name of its own (its
SHA-256 plus a random suffix: never overwritten, never shared with another request), and the dossier,
its files, context, first history row and audit event are written in one transaction. If that
transaction fails, the files this request wrote are deleted again — safe because no other request
can reference them: a failed request leaves neither a dossier nor an orphan file.

Dossier codes `{agency code}-{yymmdd}-{NNNN}` count per receiving unit per Vietnam day, from a
counter row locked with select_for_update in the submission's transaction: a rolled-back submission
gives its number back, so there are no gaps and (with the unique constraint) no duplicates.

State. `dossier_transition` is the only writer of `state`: it locks the row, checks the policy and
the table (sen.dossiers.states), runs the action's handler, writes one history row and one audit
event. `due_at` is written by the receive handler only, once; the service refuses any other change.

Results and notifications. Completing a dossier (9) renders and signs its e-result inside the same
transaction (sen.dossiers.results): no certificate or a failed signature leaves the dossier as it
was, and the stored file is deleted again. On receipt (2), a supplement request (5) and the result
returned (10) the applicant is notified by e-mail and SMS (sen.core.notifications.notify writes the
rows in the transaction and sends after the commit). After the result is returned the applicant —
only them — rates the service once (`dossier_rate`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from sen.core import audit
from sen.core.calendar import VN_TZ, WorkingCalendar, working_calendar
from sen.core.exceptions import Conflict, InvalidInput, NotFound, PermissionDenied
from sen.core.models import OrgUnit
from sen.core.notifications import notify
from sen.dossiers import policies, results
from sen.dossiers.choices import DossierAction, DossierState, RatingLevel
from sen.dossiers.deadlines import effective_due, receipt_due, step_due_at
from sen.dossiers.models import (
    Dossier,
    DossierCounter,
    DossierDraft,
    DossierDraftFile,
    DossierFile,
    DossierRating,
    DossierTransition,
    FinancialObligation,
    Handover,
    IdempotencyKey,
    SubmissionContext,
    SupplementRequest,
    dossier_file_name,
)
from sen.dossiers.states import PREVIOUS, TRANSITIONS
from sen.identity import policies as identity
from sen.identity import services as identity_services
from sen.identity.models import User
from sen.procedures.choices import Channel, OnlineLevel
from sen.procedures.eforms import eform_validate
from sen.procedures.models import Component, Procedure, ProcedureVersion, WorkflowStep

logger = logging.getLogger(__name__)

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_FILES = 20
MAGIC = (
    (b"%PDF-", "application/pdf"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
)


@dataclass(frozen=True)
class IncomingFile:
    name: str
    content: bytes = field(repr=False)
    component_id: int | None = None


@dataclass(frozen=True)
class RequestInfo:
    """Where a submission came from (stored in SubmissionContext)."""

    ip: str = ""
    user_agent: str = ""
    device_cookie: str = ""


@dataclass(frozen=True)
class _CheckedFile:
    name: str
    content: bytes = field(repr=False)
    content_type: str
    sha256: str
    component_id: int | None


# --- Checks done before anything is written ----------------------------------------------------
def _version_for(procedure_code: str) -> ProcedureVersion:
    procedure = (
        Procedure.objects.filter(code=str(procedure_code).strip(), current_version__isnull=False)
        .select_related("current_version")
        .first()
    )
    if procedure is None or procedure.current_version is None:
        raise NotFound(_("Không tìm thấy thủ tục có mã %(code)s.") % {"code": procedure_code}, code="unknown_procedure")
    return procedure.current_version


def _first_step(version: ProcedureVersion) -> WorkflowStep | None:
    return WorkflowStep.objects.filter(version=version).select_related("unit").order_by("order").first()


def _receiving_unit(version: ProcedureVersion, unit_code: str) -> OrgUnit:
    """The unit named by the applicant, else the unit of the procedure's first workflow step."""
    if unit_code:
        unit = OrgUnit.objects.filter(code=unit_code.strip(), active_to__isnull=True).first()
        if unit is None:
            raise InvalidInput(
                _("Không tìm thấy cơ quan tiếp nhận có mã %(code)s.") % {"code": unit_code}, code="unknown_unit"
            )
        return unit
    step = _first_step(version)
    if step is not None and step.unit is not None:
        return step.unit
    raise InvalidInput(_("Cần chọn cơ quan tiếp nhận hồ sơ."), details={"field": "unit_code"}, code="unit_required")


def file_type_of(content: bytes) -> str | None:
    """The type the bytes say they are (PDF, JPEG, PNG), whatever the file's name claims."""
    for magic, content_type in MAGIC:
        if content.startswith(magic):
            return content_type
    return None


def file_size_check(name: str, size: int) -> None:
    if size > MAX_FILE_BYTES:
        raise InvalidInput(
            _("Tệp “%(name)s” vượt quá dung lượng cho phép (%(max)s MB).")
            % {"name": name, "max": MAX_FILE_BYTES // (1024 * 1024)},
            details={"file": name, "size": size, "max_bytes": MAX_FILE_BYTES},
            code="file_too_large",
        )


def short_name(name: str, limit: int = 90) -> str:
    """A component's name cut to fit a message (the national data has names of several sentences)."""
    text = " ".join((name or "").split())
    return text if len(text) <= limit else text[: limit - 1].rstrip(" ,;.") + "…"


def components_missing(components: Iterable[Component], attached: Iterable[int | None]) -> list[Component]:
    """The required components of `components` that none of the `attached` component ids covers."""
    have = {component_id for component_id in attached if component_id is not None}
    return [component for component in components if component.required and component.pk not in have]


def components_required_error(missing: Sequence[Component]) -> InvalidInput:
    """The error naming the required components a submission lacks (details list them by id)."""
    names = "; ".join(f"“{short_name(component.name)}”" for component in missing)
    if len(missing) == 1:
        message = _("Thiếu thành phần hồ sơ bắt buộc %(names)s: cần đính kèm ít nhất một tệp.") % {"names": names}
    else:
        message = _("Thiếu %(n)s thành phần hồ sơ bắt buộc: %(names)s. Mỗi thành phần cần ít nhất một tệp.") % {
            "n": len(missing),
            "names": names,
        }
    return InvalidInput(
        message,
        details={"field": "files", "components": [{"id": c.pk, "name": c.name} for c in missing]},
        code="component_required",
    )


def _files_check(
    files: Sequence[IncomingFile],
    version: ProcedureVersion,
    *,
    kept: Sequence[int | None] = (),
    complete: bool = True,
) -> list[_CheckedFile]:
    """Check each upload by count, size and content, and that its component belongs to `version`.
    `kept`: the component ids of files already stored for this submission (a draft's). With
    `complete`, every required component must then have a file (a draft need not be complete)."""
    if len(files) + len(kept) > MAX_FILES:
        raise InvalidInput(_("Chỉ được nộp tối đa %(n)s tệp.") % {"n": MAX_FILES}, code="too_many_files")
    components = list(Component.objects.filter(version=version).order_by("order", "id"))
    component_ids = {component.pk for component in components}
    checked = []
    for incoming in files:
        name = (incoming.name or "").replace("\\", "/").rsplit("/", 1)[-1].strip()[:255] or "tep"
        file_size_check(name, len(incoming.content))
        if not incoming.content:
            raise InvalidInput(_("Tệp “%(name)s” rỗng.") % {"name": name}, code="empty_file")
        content_type = file_type_of(incoming.content)
        if content_type is None:
            raise InvalidInput(
                _("Tệp “%(name)s” không phải PDF, JPEG hoặc PNG (kiểm tra theo nội dung tệp).") % {"name": name},
                details={"file": name, "allowed": [t for _m, t in MAGIC]},
                code="file_type_not_allowed",
            )
        if incoming.component_id is not None and incoming.component_id not in component_ids:
            raise InvalidInput(
                _("Tệp “%(name)s” gắn với thành phần hồ sơ không thuộc thủ tục này.") % {"name": name},
                code="unknown_component",
            )
        checked.append(
            _CheckedFile(
                name=name,
                content=incoming.content,
                content_type=content_type,
                sha256=hashlib.sha256(incoming.content).hexdigest(),
                component_id=incoming.component_id,
            )
        )
    if complete:
        missing = components_missing(components, [*kept, *(item.component_id for item in checked)])
        if missing:
            raise components_required_error(missing)
    return checked


# --- Files on storage ---------------------------------------------------------------------------
def _files_write(files: Sequence[_CheckedFile]) -> list[str]:
    """Write every upload under a name of its own; return the names, in the order of `files`."""
    written: list[str] = []
    try:
        for item in files:
            written.append(default_storage.save(dossier_file_name(item.sha256), ContentFile(item.content)))
    except BaseException:
        _files_forget(written)
        raise
    return written


@contextmanager
def _files_stored(files: Sequence[_CheckedFile]) -> Iterator[list[str]]:
    """Write the uploads, yield their stored names, and delete them again if the block fails.
    Use as `with _files_stored(checked) as names, transaction.atomic():` so the transaction rolls back
    before the files are removed."""
    written = _files_write(files)
    try:
        yield written
    except BaseException:
        _files_forget(written)
        raise


def _files_forget(names: Sequence[str]) -> None:
    """After a failed transaction: delete what this request wrote (no other request references it)."""
    for name in names:
        try:
            default_storage.delete(name)
        except OSError:
            logger.exception("Could not delete orphan dossier file %s", name)


# --- Creating a dossier -------------------------------------------------------------------------
def _next_code(unit: OrgUnit, now: dt.datetime) -> str:
    """The next code for `unit` today (Vietnam date). Call inside the submission's transaction."""
    day = now.astimezone(VN_TZ).date()
    counter = DossierCounter.objects.select_for_update().filter(unit=unit, day=day).first()
    if counter is None:
        try:
            with transaction.atomic():
                DossierCounter.objects.create(unit=unit, day=day, last=0)
        except IntegrityError:
            pass  # created by a concurrent submission: lock theirs
        counter = DossierCounter.objects.select_for_update().get(unit=unit, day=day)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"{unit.code}-{day:%y%m%d}-{counter.last:04d}"


def _history(
    *,
    dossier: Dossier,
    action: str,
    actor: Any,
    at: dt.datetime,
    from_state: str,
    note: str = "",
    reason: str = "",
    details: dict[str, Any] | None = None,
) -> DossierTransition:
    return DossierTransition.objects.create(
        dossier=dossier,
        action=action,
        from_state=from_state,
        to_state=dossier.state,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        at=at,
        note=note,
        reason=reason,
        details=details or {},
    )


def _dossier_create(
    *,
    actor: User,
    applicant: User,
    version: ProcedureVersion,
    unit: OrgUnit,
    channel: str,
    form_data: dict[str, Any],
    files: Sequence[_CheckedFile],
    stored_names: Sequence[str],
    info: RequestInfo,
    postal_tracking_no: str = "",
    kept_files: Sequence[DossierDraftFile] = (),
    applicant_address: str = "",
) -> Dossier:
    """`kept_files`: a draft's files, already stored; the dossier's file rows point at their stored
    files (nothing is copied)."""
    now = timezone.now()
    dossier = Dossier.objects.create(
        code=_next_code(unit, now),
        procedure_version=version,
        unit=unit,
        applicant=applicant,
        channel=channel,
        postal_tracking_no=postal_tracking_no,
        applicant_address=applicant_address,
        form_data=audit.to_jsonable(form_data),
        state=DossierState.SUBMITTED,
        submitted_at=now,
    )
    is_staff = actor.kind == User.Kind.STAFF
    SubmissionContext.objects.create(
        dossier=dossier,
        channel=channel,
        account=actor,
        is_staff_account=is_staff,
        created_by_staff=actor if channel != Channel.ONLINE else None,
        ip=info.ip[:64],
        user_agent=info.user_agent[:500],
        device_cookie=info.device_cookie[:128],
    )
    DossierFile.objects.bulk_create(
        DossierFile(
            dossier=dossier,
            component_id=item.component_id,
            name=item.name,
            content_type=item.content_type,
            size=len(item.content),
            sha256=item.sha256,
            file=stored_name,
            uploaded_by=actor,
        )
        for item, stored_name in zip(files, stored_names, strict=True)
    )
    DossierFile.objects.bulk_create(
        DossierFile(
            dossier=dossier,
            component_id=kept.component_id,
            name=kept.name,
            content_type=kept.content_type,
            size=kept.size,
            sha256=kept.sha256,
            file=kept.file.name,
            uploaded_by=actor,
        )
        for kept in kept_files
    )
    _history(dossier=dossier, action=DossierAction.SUBMIT, actor=actor, at=now, from_state="")
    audit.record(
        actor=actor,
        action="dossiers.dossier.submit",
        obj=dossier,
        after={
            "code": dossier.code,
            "procedure_version": version.pk,
            "unit": unit.pk,
            "channel": channel,
            "applicant": applicant.pk,
            "files": [item.sha256 for item in files] + [kept.sha256 for kept in kept_files],
        },
        acting_unit=unit if channel != Channel.ONLINE else None,
    )
    return dossier


def _request_hash(procedure_code: str, unit_code: str, form_data: Any, files: Sequence[_CheckedFile]) -> str:
    body = {
        "procedure_code": str(procedure_code).strip(),
        "unit_code": unit_code.strip(),
        "form_data": form_data,
        "files": [[item.name, item.sha256, item.component_id] for item in files],
    }
    return hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()


def _replay(actor: User, key: str, request_hash: str) -> Dossier | None:
    existing = IdempotencyKey.objects.filter(account=actor, key=key).select_related("dossier").first()
    if existing is None:
        return None
    if existing.request_hash != request_hash:
        raise Conflict(
            _("Khóa Idempotency-Key này đã được dùng cho một yêu cầu nộp hồ sơ khác (hồ sơ %(code)s).")
            % {"code": existing.dossier.code},
            code="idempotency_key_reused",
        )
    return existing.dossier


def _idempotency_key(value: str) -> str:
    key = (value or "").strip()
    if not key or len(key) > 128:
        raise InvalidInput(
            _("Cần tiêu đề Idempotency-Key (tối đa 128 ký tự) khi nộp hồ sơ."),
            code="idempotency_key_required",
        )
    return key


def dossier_submit_online(
    *,
    actor: User,
    procedure_code: str,
    form_data: dict[str, Any],
    files: Sequence[IncomingFile] = (),
    context: RequestInfo | None = None,
    idempotency_key: str,
    unit_code: str = "",
) -> Dossier:
    """A logged-in person submits online for themself. A retry with the same key and body returns
    the same dossier; the same key with another body is a conflict."""
    if not getattr(actor, "is_authenticated", False):
        raise PermissionDenied()
    key = _idempotency_key(idempotency_key)
    version = _online_version(actor, procedure_code)
    checked = _files_check(files, version)
    request_hash = _request_hash(procedure_code, unit_code, form_data, checked)
    replayed = _replay(actor, key, request_hash)
    if replayed is not None:
        return replayed
    unit = _receiving_unit(version, unit_code)
    cleaned = eform_validate(version.eform, form_data)
    try:
        with _files_stored(checked) as written, transaction.atomic():
            dossier = _dossier_create(
                actor=actor,
                applicant=actor,
                version=version,
                unit=unit,
                channel=Channel.ONLINE,
                form_data=cleaned,
                files=checked,
                stored_names=written,
                info=context or RequestInfo(),
            )
            IdempotencyKey.objects.create(key=key, account=actor, request_hash=request_hash, dossier=dossier)
    except IntegrityError:
        # A concurrent retry with the same key committed first: answer with its dossier.
        replayed = _replay(actor, key, request_hash)
        if replayed is None:
            raise
        return replayed
    return dossier


# --- Drafts ----------------------------------------------------------------------------------------
MAX_DRAFT_FORM_BYTES = 64 * 1024


def _online_version(actor: Any, procedure_code: str) -> ProcedureVersion:
    if not getattr(actor, "is_authenticated", False):
        raise PermissionDenied()
    version = _version_for(procedure_code)
    if version.online_level == OnlineLevel.NONE:
        raise InvalidInput(_("Thủ tục này không nhận hồ sơ trực tuyến."), code="not_online")
    return version


def _draft_form_data(form_data: Any) -> dict[str, Any]:
    """What a draft keeps of the form: any JSON object of bounded size (it is validated on submission)."""
    if not isinstance(form_data, dict):
        raise InvalidInput(_("form_data phải là một đối tượng JSON."), details={"field": "form_data"})
    value = audit.to_jsonable(form_data)
    if len(json.dumps(value, ensure_ascii=False).encode()) > MAX_DRAFT_FORM_BYTES:
        raise InvalidInput(
            _("Dữ liệu bản nháp quá lớn (tối đa %(kb)s KB).") % {"kb": MAX_DRAFT_FORM_BYTES // 1024},
            details={"field": "form_data"},
            code="draft_too_large",
        )
    return dict(value)


def _draft_locked(actor: User, procedure: Procedure) -> DossierDraft | None:
    return (
        DossierDraft.objects.select_for_update()
        .filter(owner=actor, procedure=procedure)
        .select_related("procedure_version")
        .first()
    )


def _draft_not_found() -> NotFound:
    return NotFound(_("Không tìm thấy bản nháp hồ sơ của bạn cho thủ tục này."), code="draft_not_found")


def _draft_rebind(draft: DossierDraft, version: ProcedureVersion, files: list[DossierDraftFile]) -> list[str | None]:
    """Move a draft saved under an older version to `version`: each file follows the component of
    the same name; a file whose component is gone is removed. Returns the stored names to delete."""
    if draft.procedure_version_id == version.pk:
        return []
    by_name = {c.name: c.pk for c in Component.objects.filter(version=version)}
    old_names = dict(
        Component.objects.filter(pk__in=[f.component_id for f in files if f.component_id]).values_list("pk", "name")
    )
    dropped: list[str | None] = []
    for item in list(files):
        new_id = by_name.get(old_names.get(item.component_id, "")) if item.component_id else None
        if item.component_id and new_id is None:
            dropped.append(item.file.name)
            item.delete()
            files.remove(item)
        elif new_id != item.component_id:
            item.component_id = new_id
            item.save(update_fields=["component"])
    draft.procedure_version = version
    return dropped


def _draft_removals(files: list[DossierDraftFile], remove_file_ids: Iterable[int]) -> list[DossierDraftFile]:
    """The draft's files the applicant takes out; an id that is not one of them is NotFound."""
    by_id = {item.pk: item for item in files}
    removed = []
    for file_id in set(remove_file_ids):
        if file_id not in by_id:
            raise NotFound(_("Không tìm thấy tệp này trong bản nháp."), code="draft_file_not_found")
        removed.append(by_id[file_id])
    return removed


def _forget_after_commit(names: Sequence[str | None]) -> None:
    """Delete stored files once the transaction that dropped their rows has committed."""
    kept = [name for name in names if name]
    if kept:
        transaction.on_commit(lambda: _files_forget(kept))


def dossier_draft_save(
    *,
    actor: User,
    procedure_code: str,
    form_data: dict[str, Any] | None = None,
    unit_code: str | None = None,
    files: Sequence[IncomingFile] = (),
    remove_file_ids: Iterable[int] = (),
) -> DossierDraft:
    """Create or update `actor`'s draft for the procedure: the typed values (None keeps them), the
    receiving unit, new files (checked by size and content like a submission's, but a draft need not
    have every required component) and files taken out. A draft saved under an older version of the
    procedure moves to the current one."""
    version = _online_version(actor, procedure_code)
    data = _draft_form_data(form_data) if form_data is not None else None
    unit = (unit_code or "").strip()[:64] if unit_code is not None else None
    checked = _files_check(files, version, complete=False)
    with _files_stored(checked) as written, transaction.atomic():
        draft = _draft_locked(actor, version.procedure)
        if draft is None:
            try:
                with transaction.atomic():
                    draft = DossierDraft.objects.create(
                        owner=actor, procedure=version.procedure, procedure_version=version
                    )
            except IntegrityError:  # a concurrent first save: lock theirs
                draft = _draft_locked(actor, version.procedure)
                if draft is None:
                    raise
        existing = list(draft.files.all())
        dropped = _draft_rebind(draft, version, existing)
        removed = _draft_removals(existing, remove_file_ids)
        if len(existing) - len(removed) + len(checked) > MAX_FILES:
            raise InvalidInput(_("Chỉ được nộp tối đa %(n)s tệp.") % {"n": MAX_FILES}, code="too_many_files")
        dropped += [item.file.name for item in removed]
        DossierDraftFile.objects.filter(pk__in=[item.pk for item in removed]).delete()
        DossierDraftFile.objects.bulk_create(
            DossierDraftFile(
                draft=draft,
                component_id=item.component_id,
                name=item.name,
                content_type=item.content_type,
                size=len(item.content),
                sha256=item.sha256,
                file=stored_name,
            )
            for item, stored_name in zip(checked, written, strict=True)
        )
        if data is not None:
            draft.form_data = data
        if unit is not None:
            draft.unit_code = unit
        draft.save()
        audit.record(
            actor=actor,
            action="dossiers.draft.save",
            obj=draft,
            after={
                "procedure_version": version.pk,
                "added": [item.sha256 for item in checked],
                "removed": [item.sha256 for item in removed],
            },
        )
        _forget_after_commit(dropped)
    return draft


def dossier_draft_discard(*, actor: User, procedure_code: str) -> None:
    """Delete `actor`'s draft for the procedure and its stored files (after the commit)."""
    if not getattr(actor, "is_authenticated", False):
        raise PermissionDenied()
    procedure = Procedure.objects.filter(code=str(procedure_code).strip()).first()
    with transaction.atomic():
        draft = _draft_locked(actor, procedure) if procedure is not None else None
        if draft is None:
            raise _draft_not_found()
        names = [item.file.name for item in draft.files.all()]
        audit.record(actor=actor, action="dossiers.draft.discard", obj=draft, before={"files": len(names)})
        draft.files.all().delete()
        draft.delete()
        _forget_after_commit(names)


def dossier_submit_draft(
    *,
    actor: User,
    procedure_code: str,
    idempotency_key: str,
    context: RequestInfo | None = None,
    form_data: dict[str, Any] | None = None,
    unit_code: str | None = None,
    files: Sequence[IncomingFile] = (),
    remove_file_ids: Iterable[int] = (),
) -> Dossier:
    """Submit `actor`'s draft for the procedure online: its files plus `files`, less `remove_file_ids`;
    its values unless `form_data` / `unit_code` replace them. The dossier is made and the draft
    removed in one transaction. A retry with the same key returns the same dossier, also after the
    draft is gone; nothing is written when anything is refused."""
    key = _idempotency_key(idempotency_key)
    version = _online_version(actor, procedure_code)
    request_hash = hashlib.sha256(f"draft:{version.procedure.code}".encode()).hexdigest()
    replayed = _replay(actor, key, request_hash)
    if replayed is not None:
        return replayed
    checked = _files_check(files, version, complete=False)
    try:
        with _files_stored(checked) as written, transaction.atomic():
            draft = _draft_locked(actor, version.procedure)
            if draft is None:
                raise _draft_not_found()
            kept = list(draft.files.all())
            dropped = _draft_rebind(draft, version, kept)
            removed = _draft_removals(kept, remove_file_ids)
            kept = [item for item in kept if item not in removed]
            if len(kept) + len(checked) > MAX_FILES:
                raise InvalidInput(_("Chỉ được nộp tối đa %(n)s tệp.") % {"n": MAX_FILES}, code="too_many_files")
            components = list(Component.objects.filter(version=version).order_by("order", "id"))
            missing = components_missing(
                components, [item.component_id for item in kept] + [item.component_id for item in checked]
            )
            if missing:
                raise components_required_error(missing)
            unit = _receiving_unit(version, draft.unit_code if unit_code is None else unit_code)
            cleaned = eform_validate(version.eform, draft.form_data if form_data is None else form_data)
            dossier = _dossier_create(
                actor=actor,
                applicant=actor,
                version=version,
                unit=unit,
                channel=Channel.ONLINE,
                form_data=cleaned,
                files=checked,
                stored_names=written,
                info=context or RequestInfo(),
                kept_files=kept,
            )
            IdempotencyKey.objects.create(key=key, account=actor, request_hash=request_hash, dossier=dossier)
            draft.files.all().delete()
            draft.delete()
            _forget_after_commit(dropped + [item.file.name for item in removed])
    except (IntegrityError, NotFound) as exc:
        # A concurrent retry with the same key committed first (and removed the draft): its dossier.
        replayed = _replay(actor, key, request_hash)
        if replayed is None:
            raise
        if isinstance(exc, NotFound) and exc.code != "draft_not_found":
            raise
        return replayed
    return dossier


@dataclass(frozen=True)
class ApplicantDetails:
    """The applicant of a paper dossier as the officer types them in: found by CCCD, or given an
    account (sen.identity.services.citizen_for_intake)."""

    national_id: str
    full_name: str = ""
    phone: str = ""
    address: str = ""


STAFF_CHANNELS = (Channel.COUNTER, Channel.POSTAL)
MAX_ADDRESS = 500


def _applicant_checked(applicant: User | ApplicantDetails) -> User | ApplicantDetails:
    """Normalised applicant details (InvalidInput naming the field), checked before anything is written."""
    if isinstance(applicant, User):
        if applicant.pk is None:
            raise InvalidInput(_("Cần người nộp hồ sơ."), code="applicant_required")
        return applicant
    try:
        national_id = identity_services.normalize_national_id(applicant.national_id)
        existing = User.objects.filter(national_id=national_id).exists()
        full_name = " ".join((applicant.full_name or "").split())
        if not full_name and not existing:
            raise InvalidInput(_("Vui lòng nhập họ và tên."), details={"full_name": [_("Vui lòng nhập họ và tên.")]})
        phone = identity_services.normalize_phone(applicant.phone) if applicant.phone or not existing else ""
    except InvalidInput as exc:
        field = next(iter(exc.details), "") if isinstance(exc.details, dict) else ""
        raise InvalidInput(
            exc.message, details={"field": f"applicant_{field}" if field else "applicant"}, code="invalid_applicant"
        ) from None
    address = " ".join((applicant.address or "").split())
    if len(address) > MAX_ADDRESS:
        raise InvalidInput(
            _("Địa chỉ tối đa %(n)s ký tự.") % {"n": MAX_ADDRESS},
            details={"field": "applicant_address"},
            code="invalid_applicant",
        )
    return ApplicantDetails(national_id=national_id, full_name=full_name, phone=phone, address=address)


def _staff_intake(
    *,
    actor: User,
    applicant: User | ApplicantDetails,
    procedure_code: str,
    form_data: dict[str, Any],
    files: Sequence[IncomingFile],
    unit: OrgUnit | None,
    context: RequestInfo | None,
    channel: str,
    postal_tracking_no: str = "",
    note: str = "",
    idempotency_key: str = "",
) -> Dossier:
    """A paper dossier received by a one-stop officer (counter or post), received at once. With an
    idempotency key, a retry of the same request returns the same dossier."""
    version = _version_for(procedure_code)
    if unit is None:
        employment = identity.current_employment(actor)
        unit = employment.unit if employment is not None else None
    if unit is None or not policies.can_receive_at(actor, unit):
        raise PermissionDenied(_("Bạn không phải cán bộ một cửa của cơ quan tiếp nhận này."))
    person = _applicant_checked(applicant)
    checked = _files_check(files, version)
    key = _idempotency_key(idempotency_key) if idempotency_key else ""
    request_hash = ""
    if key:
        body = {
            "channel": channel,
            "unit": unit.code,
            "applicant": person.national_id if isinstance(person, ApplicantDetails) else person.pk,
            "postal_tracking_no": postal_tracking_no,
        }
        request_hash = _request_hash(procedure_code, json.dumps(body, sort_keys=True), form_data, checked)
        replayed = _replay(actor, key, request_hash)
        if replayed is not None:
            return replayed
    cleaned = eform_validate(version.eform, form_data)
    try:
        with _files_stored(checked) as written, transaction.atomic():
            if isinstance(person, ApplicantDetails):
                applicant_user = identity_services.citizen_for_intake(
                    actor=actor, national_id=person.national_id, full_name=person.full_name, phone=person.phone
                )
                address = person.address
            else:
                applicant_user, address = person, ""
            dossier = _dossier_create(
                actor=actor,
                applicant=applicant_user,
                version=version,
                unit=unit,
                channel=channel,
                form_data=cleaned,
                files=checked,
                stored_names=written,
                info=context or RequestInfo(),
                postal_tracking_no=postal_tracking_no,
                applicant_address=address,
            )
            if key:
                IdempotencyKey.objects.create(key=key, account=actor, request_hash=request_hash, dossier=dossier)
            dossier = dossier_transition(actor=actor, dossier=dossier, action=DossierAction.RECEIVE, note=note)
    except IntegrityError:
        replayed = _replay(actor, key, request_hash) if key else None
        if replayed is None:
            raise
        return replayed
    return dossier


def _tracking_no(value: str) -> str:
    tracking = (value or "").strip()
    if not tracking or len(tracking) > 64:
        raise InvalidInput(
            _("Cần số hiệu bưu gửi (tối đa 64 ký tự)."),
            details={"field": "postal_tracking_no"},
            code="tracking_no_required",
        )
    return tracking


def dossier_receive_at_counter(
    *,
    actor: User,
    applicant: User | ApplicantDetails,
    procedure_code: str,
    form_data: dict[str, Any],
    files: Sequence[IncomingFile] = (),
    unit: OrgUnit | None = None,
    context: RequestInfo | None = None,
    note: str = "",
    idempotency_key: str = "",
) -> Dossier:
    """A one-stop officer receives a paper dossier for `applicant`: channel counter, the officer as
    submitting account and receiver, received at once (the clock starts). Never an online one."""
    return _staff_intake(
        actor=actor,
        applicant=applicant,
        procedure_code=procedure_code,
        form_data=form_data,
        files=files,
        unit=unit,
        context=context,
        channel=Channel.COUNTER,
        note=note,
        idempotency_key=idempotency_key,
    )


def dossier_receive_by_post(
    *,
    actor: User,
    applicant: User | ApplicantDetails,
    procedure_code: str,
    form_data: dict[str, Any],
    postal_tracking_no: str,
    files: Sequence[IncomingFile] = (),
    unit: OrgUnit | None = None,
    context: RequestInfo | None = None,
    note: str = "",
    idempotency_key: str = "",
) -> Dossier:
    """A one-stop officer registers a dossier that arrived by post, with its tracking number."""
    return _staff_intake(
        actor=actor,
        applicant=applicant,
        procedure_code=procedure_code,
        form_data=form_data,
        files=files,
        unit=unit,
        context=context,
        channel=Channel.POSTAL,
        postal_tracking_no=_tracking_no(postal_tracking_no),
        note=note,
        idempotency_key=idempotency_key,
    )


def dossier_receive_paper(
    *,
    actor: User,
    channel: str,
    applicant: User | ApplicantDetails,
    procedure_code: str,
    form_data: dict[str, Any],
    files: Sequence[IncomingFile] = (),
    unit_code: str = "",
    postal_tracking_no: str = "",
    context: RequestInfo | None = None,
    note: str = "",
    idempotency_key: str = "",
) -> Dossier:
    """The counter or postal intake by channel name, the receiving unit by code (default: the
    officer's own unit) — what the intake page and the API call, always with an idempotency key."""
    idempotency_key = _idempotency_key(idempotency_key)
    if channel not in STAFF_CHANNELS:
        raise InvalidInput(
            _("Hình thức nộp không hợp lệ."),
            details={"field": "channel", "allowed": [str(c) for c in Channel]},
            code="invalid_channel",
        )
    unit = None
    if unit_code.strip():
        unit = OrgUnit.objects.filter(code=unit_code.strip(), active_to__isnull=True).first()
        if unit is None:
            raise InvalidInput(
                _("Không tìm thấy cơ quan tiếp nhận có mã %(code)s.") % {"code": unit_code},
                details={"field": "unit_code"},
                code="unknown_unit",
            )
    common: dict[str, Any] = {
        "actor": actor,
        "applicant": applicant,
        "procedure_code": procedure_code,
        "form_data": form_data,
        "files": files,
        "unit": unit,
        "context": context,
        "note": note,
        "idempotency_key": idempotency_key,
    }
    if channel == Channel.POSTAL:
        return dossier_receive_by_post(postal_tracking_no=postal_tracking_no, **common)
    return dossier_receive_at_counter(**common)


# --- Moving state -------------------------------------------------------------------------------
@dataclass
class _Step:
    """What a handler needs: the dossier (locked), the actor, the time, the calendar."""

    dossier: Dossier
    actor: User
    now: dt.datetime
    calendar: WorkingCalendar
    kwargs: dict[str, Any]
    details: dict[str, Any] = field(default_factory=dict)
    written: list[str] = field(default_factory=list)  # files stored by the handler (deleted on failure)
    next_state: str | None = None  # for a PREVIOUS target: the state the handler found

    def text(self, name: str) -> str:
        value = self.kwargs.get(name) or ""
        if not isinstance(value, str):
            raise InvalidInput(_("Trường %(name)s phải là văn bản.") % {"name": name})
        return value.strip()[:4000]


def _steps(dossier: Dossier) -> list[WorkflowStep]:
    return list(
        WorkflowStep.objects.filter(version_id=dossier.procedure_version_id).select_related("unit").order_by("order")
    )


def _step_index(steps: list[WorkflowStep], dossier: Dossier) -> int:
    for index, step in enumerate(steps):
        if step.pk == dossier.current_step_id:
            return index
    return -1


def _handover(ctx: _Step, step: WorkflowStep, receiver: User) -> None:
    dossier = ctx.dossier
    due = step_due_at(ctx.calendar, dossier.procedure_version, step, ctx.now)
    Handover.objects.create(
        dossier=dossier,
        step=step,
        giver=ctx.actor if getattr(ctx.actor, "is_authenticated", False) else None,
        receiver=receiver,
        at=ctx.now,
        step_due_at=due,
    )
    dossier.current_step = step
    dossier.assignee = receiver
    ctx.details.update(
        {"step": step.order, "step_name": step.name, "receiver": receiver.get_username(), "step_due_at": due}
    )


def _receiver_for(ctx: _Step, step: WorkflowStep) -> User:
    """The `assignee` (a username or a User) given for `step`; by default the officer who received
    the dossier when the step is theirs. The receiver must hold the step's role on its unit."""
    dossier = ctx.dossier
    value = ctx.kwargs.get("assignee")
    receiver: User | None
    if isinstance(value, User):
        receiver = value
    elif isinstance(value, str) and value.strip():
        receiver = User.objects.filter(username=value.strip(), is_active=True).first()
    elif dossier.receiver_id is not None and step.role_code == identity.ONE_STOP_OFFICER:
        receiver = dossier.receiver
    else:
        raise InvalidInput(
            _("Cần chọn người nhận cho bước “%(step)s”.") % {"step": step.name},
            details={"field": "assignee"},
            code="assignee_required",
        )
    unit = policies.step_unit(step, dossier)
    if receiver is None or not identity.has_role(receiver, step.role_code, unit):
        raise InvalidInput(
            _("Người nhận không giữ vai trò cần cho bước “%(step)s” tại %(unit)s.") % {"step": step.name, "unit": unit},
            details={"field": "assignee", "role": step.role_code},
            code="assignee_not_eligible",
        )
    return receiver


def _advance(ctx: _Step, *, first_only: bool = False) -> None:
    steps = _steps(ctx.dossier)
    index = _step_index(steps, ctx.dossier)
    if first_only and index > 0:
        raise Conflict(_("Hồ sơ đã được chuyển xử lý; dùng thao tác chuyển bước tiếp theo."), code="already_assigned")
    if not first_only and index <= 0:
        raise Conflict(_("Hồ sơ chưa được chuyển xử lý; dùng thao tác chuyển xử lý."), code="not_assigned")
    if index + 1 >= len(steps):
        raise Conflict(_("Hồ sơ đã ở bước cuối của quy trình."), code="last_step")
    step = steps[index + 1]
    _handover(ctx, step, _receiver_for(ctx, step))


def _on_receive(ctx: _Step) -> None:
    dossier = ctx.dossier
    if dossier.due_at is not None or dossier.received_at is not None:
        raise Conflict(_("Hồ sơ đã được tiếp nhận."), code="already_received")
    version = dossier.procedure_version
    dossier.received_at = ctx.now
    dossier.receiver = ctx.actor
    dossier.due_at = receipt_due(ctx.calendar, version, ctx.now)
    dossier.effective_due_at = dossier.due_at
    ctx.details["due_at"] = dossier.due_at
    first = _steps(dossier)[:1]
    if first:
        _handover(ctx, first[0], ctx.actor)


def _on_refuse(ctx: _Step) -> None:
    _require_reason(ctx)
    ctx.dossier.ended_at = ctx.now


def _on_stop(ctx: _Step) -> None:
    _require_reason(ctx)
    ctx.dossier.ended_at = ctx.now
    _close_pause(ctx)


def _require_reason(ctx: _Step) -> str:
    reason = ctx.text("reason")
    if not reason:
        raise InvalidInput(_("Cần nêu lý do."), details={"field": "reason"}, code="reason_required")
    return reason


def _on_assign(ctx: _Step) -> None:
    _advance(ctx, first_only=True)


def _on_forward(ctx: _Step) -> None:
    _advance(ctx)


def _on_approve(ctx: _Step) -> None:
    if ctx.dossier.approved_at is not None:
        raise Conflict(_("Hồ sơ đã được phê duyệt."), code="already_approved")
    ctx.dossier.approved_at = ctx.now
    _advance(ctx)


def _on_return_for_rework(ctx: _Step) -> None:
    _require_reason(ctx)
    steps = _steps(ctx.dossier)
    index = _step_index(steps, ctx.dossier)
    if index <= 1:
        raise Conflict(_("Không có bước xử lý trước để trả lại."), code="no_previous_step")
    step = steps[index - 1]
    previous = Handover.objects.filter(dossier=ctx.dossier, step=step).order_by("-at", "-id").first()
    if previous is not None and not ctx.kwargs.get("assignee"):
        ctx.kwargs["assignee"] = previous.receiver
    ctx.dossier.approved_at = None
    _handover(ctx, step, _receiver_for(ctx, step))


def _on_request_supplement(ctx: _Step) -> None:
    dossier = ctx.dossier
    reason = ctx.text("reason")
    late = dossier.supplement_count >= 1
    if late and not reason:
        raise InvalidInput(
            _("Yêu cầu bổ sung lần thứ hai trở lên phải nêu lý do."),
            details={"field": "reason"},
            code="reason_required",
        )
    SupplementRequest.objects.create(
        dossier=dossier, requested_at=ctx.now, requested_by=ctx.actor, reason=reason, late_by_rule=late
    )
    dossier.paused_since = ctx.now
    dossier.supplement_count += 1
    if late:
        dossier.late_by_rule = True
    ctx.details.update({"supplement_no": dossier.supplement_count, "late_by_rule": late})


def _close_pause(ctx: _Step) -> SupplementRequest | FinancialObligation | None:
    """End the open pause — a supplement request or a financial obligation: count its working minutes,
    move the effective due date by them (recomputed from due_at) and restart the clock."""
    dossier = ctx.dossier
    pause: SupplementRequest | FinancialObligation | None = (
        SupplementRequest.objects.select_for_update().filter(dossier=dossier, resumed_at__isnull=True).first()
        or FinancialObligation.objects.select_for_update().filter(dossier=dossier, resumed_at__isnull=True).first()
    )
    dossier.paused_since = None
    if pause is None:
        return None
    paused = max(0, ctx.calendar.working_minutes_between(pause.requested_at, ctx.now))
    pause.resumed_at = ctx.now
    pause.paused_minutes = paused
    pause.save(update_fields=["resumed_at", "paused_minutes"])
    dossier.paused_minutes += paused
    if dossier.due_at is not None:
        dossier.effective_due_at = effective_due(ctx.calendar, dossier.due_at, dossier.paused_minutes)
    ctx.details.update({"paused_minutes": paused, "effective_due_at": dossier.effective_due_at})
    return pause


def _on_request_payment(ctx: _Step) -> None:
    """The financial obligation the applicant must meet (what, and how much when known): the clock
    pauses, like for a supplement (the national rule does not count the time taken to pay)."""
    description = _require_reason(ctx)
    amount = ctx.kwargs.get("amount_vnd")
    if amount in ("", None):
        amount = None
    elif isinstance(amount, bool) or not isinstance(amount, int) or amount < 0:
        raise InvalidInput(
            _("Số tiền phải là số nguyên không âm (đồng)."), details={"field": "amount_vnd"}, code="invalid_amount"
        )
    FinancialObligation.objects.create(
        dossier=ctx.dossier, requested_at=ctx.now, requested_by=ctx.actor, description=description, amount_vnd=amount
    )
    ctx.dossier.paused_since = ctx.now
    ctx.details.update({"amount_vnd": amount})


def _on_confirm_payment(ctx: _Step) -> None:
    obligation = _close_pause(ctx)
    if isinstance(obligation, FinancialObligation):
        obligation.confirmed_by = ctx.actor
        obligation.save(update_fields=["confirmed_by"])


def _on_request_withdrawal(ctx: _Step) -> None:
    """The applicant asks to withdraw; the dossier waits for the agency's answer. A pause (5, 6) goes on."""
    _require_reason(ctx)
    ctx.details["back_to"] = ctx.dossier.state


def _on_accept_withdrawal(ctx: _Step) -> None:
    ctx.dossier.ended_at = ctx.now
    _close_pause(ctx)


def _on_reject_withdrawal(ctx: _Step) -> None:
    """Back to the state before the request (the table's PREVIOUS), with the reason."""
    _require_reason(ctx)
    request = (
        DossierTransition.objects.filter(dossier=ctx.dossier, action=DossierAction.REQUEST_WITHDRAWAL)
        .order_by("-at", "-id")
        .first()
    )
    if request is None or not request.from_state:
        raise Conflict(_("Không tìm thấy yêu cầu rút hồ sơ."), code="no_withdrawal_request")
    ctx.next_state = request.from_state
    ctx.details["back_to"] = request.from_state


def _on_supplement(ctx: _Step) -> None:
    _close_pause(ctx)


def _on_complete(ctx: _Step) -> None:
    if ctx.dossier.approved_at is None:
        raise Conflict(_("Hồ sơ chưa được lãnh đạo phê duyệt."), code="not_approved")
    ctx.dossier.processed_at = ctx.now
    result = results.result_issue(actor=ctx.actor, dossier=ctx.dossier, now=ctx.now, written=ctx.written)
    ctx.details.update({"result_sha256": result.sha256, "result_certificate": result.certificate_serial})


def _on_return_result(ctx: _Step) -> None:
    ctx.dossier.returned_at = ctx.now


def _on_reschedule(ctx: _Step) -> None:
    dossier = ctx.dossier
    _require_reason(ctx)
    value = ctx.kwargs.get("new_due_at")
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError:
            value = None
    if not isinstance(value, dt.datetime):
        raise InvalidInput(_("Cần ngày hẹn trả mới."), details={"field": "new_due_at"}, code="new_due_at_required")
    if timezone.is_naive(value):
        value = value.replace(tzinfo=VN_TZ)
    floor = max(filter(None, [dossier.rescheduled_due_at, dossier.effective_due_at, dossier.due_at, ctx.now]))
    if value <= floor:
        raise InvalidInput(
            _("Ngày hẹn trả mới phải sau ngày hẹn hiện tại và sau thời điểm này."),
            details={"field": "new_due_at"},
            code="new_due_at_too_early",
        )
    dossier.rescheduled_due_at = value
    ctx.details["rescheduled_due_at"] = value


HANDLERS: dict[str, Callable[[_Step], None]] = {
    DossierAction.RECEIVE: _on_receive,
    DossierAction.REFUSE: _on_refuse,
    DossierAction.ASSIGN: _on_assign,
    DossierAction.FORWARD: _on_forward,
    DossierAction.APPROVE: _on_approve,
    DossierAction.RETURN_FOR_REWORK: _on_return_for_rework,
    DossierAction.REQUEST_SUPPLEMENT: _on_request_supplement,
    DossierAction.SUPPLEMENT: _on_supplement,
    DossierAction.STOP: _on_stop,
    DossierAction.COMPLETE: _on_complete,
    DossierAction.RETURN_RESULT: _on_return_result,
    DossierAction.RESCHEDULE: _on_reschedule,
    DossierAction.REQUEST_PAYMENT: _on_request_payment,
    DossierAction.CONFIRM_PAYMENT: _on_confirm_payment,
    DossierAction.REQUEST_WITHDRAWAL: _on_request_withdrawal,
    DossierAction.ACCEPT_WITHDRAWAL: _on_accept_withdrawal,
    DossierAction.REJECT_WITHDRAWAL: _on_reject_withdrawal,
}
assert set(HANDLERS) == set(TRANSITIONS), "every action of the table has a handler"


def dossier_transition(*, actor: User, dossier: Dossier, action: str, **kwargs: Any) -> Dossier:
    """Apply `action` to `dossier` as `actor`. kwargs: note, reason, assignee (username or User),
    new_due_at (reschedule), amount_vnd (request-payment). Raises NotFound (not visible),
    PermissionDenied (visible, not allowed), Conflict (the table or a guard refuses it in this state),
    InvalidInput."""
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise InvalidInput(
            _("Thao tác “%(action)s” không tồn tại.") % {"action": action},
            details={"allowed": list(TRANSITIONS)},
            code="unknown_action",
        )
    written: list[str] = []
    try:
        with transaction.atomic():
            locked = (
                Dossier.objects.select_for_update(of=("self",))
                .select_related(
                    "procedure_version__procedure", "unit__parent", "current_step__unit", "receiver", "applicant"
                )
                .filter(pk=dossier.pk)
                .first()
            )
            if locked is None or not policies.can_view(actor, locked):
                raise NotFound(_("Không tìm thấy hồ sơ."), code="dossier_not_found")
            if not policies.can_act(actor, action, locked):
                raise PermissionDenied(_("Bạn không có quyền thực hiện thao tác này với hồ sơ."))
            from_state = locked.state
            if from_state not in transition.sources:
                raise Conflict(
                    _("Không thể “%(action)s” khi hồ sơ đang ở trạng thái “%(state)s”.")
                    % {"action": DossierAction(action).label, "state": DossierState(from_state).label},
                    details={
                        "state": from_state,
                        "action": action,
                        "allowed_from": sorted(transition.sources, key=int),
                    },
                    code="invalid_transition",
                )
            due_before = locked.due_at
            ctx = _Step(
                dossier=locked,
                actor=actor,
                now=timezone.now(),
                calendar=working_calendar(),
                kwargs=dict(kwargs),
                written=written,
            )
            HANDLERS[action](ctx)
            if due_before is not None and locked.due_at != due_before:
                raise RuntimeError("due_at is stored once, at receipt, and never changed")
            if transition.target == PREVIOUS:
                assert ctx.next_state is not None
                locked.state = ctx.next_state
            elif transition.target is not None:
                locked.state = transition.target
            locked.save()
            _history(
                dossier=locked,
                action=action,
                actor=actor,
                at=ctx.now,
                from_state=from_state,
                note=ctx.text("note"),
                reason=ctx.text("reason"),
                details=audit.to_jsonable(ctx.details),
            )
            audit.record(
                actor=actor,
                action=f"dossiers.dossier.{action}",
                obj=locked,
                before={"state": from_state},
                after={"state": locked.state, **ctx.details},
                acting_unit=locked.unit if getattr(actor, "kind", "") == User.Kind.STAFF else None,
            )
            _notify_applicant(ctx, action)
    except BaseException:
        _files_forget(written)
        raise
    return locked


# --- Notifying the applicant --------------------------------------------------------------------
# By action, not by state: a refused withdrawal that takes a dossier back to 2 or 5 is no new receipt
# or supplement request.
NOTIFICATION_TEMPLATES: dict[str, str] = {
    DossierAction.RECEIVE: "dossier_received",
    DossierAction.REQUEST_SUPPLEMENT: "dossier_supplement_requested",
    DossierAction.REQUEST_PAYMENT: "dossier_payment_requested",
    DossierAction.RETURN_RESULT: "dossier_result_returned",
}
NOTIFICATION_CHANNELS = ("email", "sms")


def _vietnam_text(moment: dt.datetime | None) -> str:
    """ "15:00 ngày 20/02/2026" in Vietnam time ("" for none): templates get text, not datetimes."""
    return moment.astimezone(VN_TZ).strftime("%H:%M ngày %d/%m/%Y") if moment else ""


def _notify_applicant(ctx: _Step, action: str) -> None:
    """On receipt, a supplement request, a financial obligation and the result returned: e-mail and
    SMS to the applicant, written now and sent after the commit."""
    dossier = ctx.dossier
    template = NOTIFICATION_TEMPLATES.get(action)
    if template is None:
        return
    site = settings.SEN_BASE_URL.rstrip("/")
    context: dict[str, Any] = {
        "code": dossier.code,
        "procedure_name": dossier.procedure_version.name,
        "unit_name": dossier.unit.name,
        "received_at": _vietnam_text(dossier.received_at),
        "due_at": _vietnam_text(dossier.rescheduled_due_at or dossier.effective_due_at or dossier.due_at),
        "reason": ctx.text("reason"),
        "note": ctx.text("note"),
        "supplement_no": dossier.supplement_count,
        "amount": f"{ctx.details['amount_vnd']:,} đồng".replace(",", ".") if ctx.details.get("amount_vnd") else "",
        "late_by_rule": dossier.late_by_rule,
        "verify_url": site + reverse("signing:verify"),
    }
    if dossier.state == DossierState.RETURNED:
        context.update(
            {
                "result_name": results.result_name(dossier),
                "result_url": site + reverse("dossiers:result_detail", args=[dossier.code]),
                "download_url": site + reverse("dossiers:result_download", args=[dossier.code]),
                "rate_url": site + reverse("dossiers:result_rate", args=[dossier.code]),
            }
        )
    notify(recipient=dossier.applicant, template=template, context=context, channels=NOTIFICATION_CHANNELS)


# --- Rating -------------------------------------------------------------------------------------
MAX_RATING_COMMENT = 1000


def dossier_rate(*, actor: User, dossier: Dossier, level: str, comment: str = "") -> DossierRating:
    """The applicant rates the service once, after the result is returned (10).

    NotFound for whoever may not see the dossier; PermissionDenied for staff who see it (only the
    applicant rates); Conflict before state 10 or when it is already rated; InvalidInput for an unknown
    level or a comment over 1,000 characters."""
    if level not in RatingLevel.values:
        raise InvalidInput(
            _("Mức độ hài lòng không hợp lệ."),
            details={"field": "level", "allowed": list(RatingLevel.values)},
            code="invalid_rating_level",
        )
    text = (comment or "").strip()
    if len(text) > MAX_RATING_COMMENT:
        raise InvalidInput(
            _("Góp ý tối đa %(n)s ký tự.") % {"n": MAX_RATING_COMMENT},
            details={"field": "comment", "max_length": MAX_RATING_COMMENT},
            code="comment_too_long",
        )
    with transaction.atomic():
        locked = Dossier.objects.select_for_update(of=("self",)).filter(pk=dossier.pk).select_related("unit").first()
        if locked is None or not policies.can_view(actor, locked):
            raise NotFound(_("Không tìm thấy hồ sơ."), code="dossier_not_found")
        if not policies.can_rate(actor, locked):
            raise PermissionDenied(_("Chỉ người nộp hồ sơ mới được đánh giá mức độ hài lòng."))
        if locked.state != DossierState.RETURNED:
            raise Conflict(
                _("Chỉ đánh giá được sau khi hồ sơ đã được trả kết quả."),
                details={"state": locked.state},
                code="not_returned",
            )
        if DossierRating.objects.filter(dossier=locked).exists():
            raise Conflict(_("Hồ sơ này đã được đánh giá."), code="already_rated")
        try:
            with transaction.atomic():
                rating = DossierRating.objects.create(
                    dossier=locked, applicant=actor, level=level, comment=text, rated_at=timezone.now()
                )
        except IntegrityError:
            raise Conflict(_("Hồ sơ này đã được đánh giá."), code="already_rated") from None
        audit.record(
            actor=actor,
            action="dossiers.dossier.rate",
            obj=locked,
            after={"level": level, "comment": text},
        )
    return rating
