"""Writing outgoing documents: drafting, the review flow, the two signatures, numbering, issue, filing,
recall and correction (Decree 30/2020/NĐ-CP, Articles 10–16 and Appendix I).

Drafts and versions. `outgoing_create` and `outgoing_edit` render the page (sen.documents.rendering)
and store it as a new, immutable DocumentVersion with the positions of its fields; reviewers always
see — and the signer signs — the current version. Comments at each step are kept on the history rows.

State. `outgoing_transition` is the only writer of `state`: it locks the row, asks the policy (404 for
whoever may not see the document, 403 for whoever may see but not act), checks the table
(sen.documents.states, 409), runs the action's handler, writes one history row and one audit event.

Signatures (sen.signing). `sign`: the current version's PDF gets the signature fields and the number
and date fields (document_prepare), then the signer's own signature (layer 1). `number`: the next
number of the body's register for the year of signing. `seal`: the organisation's signature with the
red seal (layer 2), the number and date filled in the same incremental update, and each appendix
signed at the top right of its first page. Each result is a new file; nothing is overwritten. Files
written by a failed action are deleted again (sen.core.files).

Issue. Recipients inside Sen get the document in their incoming queue, and those outside get an
edXML package, both by jobs that run after the commit (sen.documents.delivery).

Case files. A body's clerk or leaders create the case files of its annual file list and close them;
filing (`file` for an outgoing document, `incoming_file_into`) reads the case file again under a row
lock, so a file being closed never takes one more document.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Literal, TypeVar

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sen.core import audit, files
from sen.core.calendar import VN_TZ
from sen.core.exceptions import Conflict, InvalidInput, NotFound, PermissionDenied
from sen.core.i18n import vietnamese_label
from sen.core.jobs import enqueue
from sen.core.models import OrgUnit
from sen.core.text import search_words
from sen.documents import numbering, policies, rendering
from sen.documents.choices import (
    Confidentiality,
    Direction,
    DocumentType,
    FileRole,
    NoticeKind,
    OutgoingAction,
    OutgoingState,
    Urgency,
)
from sen.documents.models import (
    CaseFile,
    CaseFileItem,
    DocumentFile,
    DocumentVersion,
    IssueKey,
    Notice,
    OutgoingDocument,
    OutgoingTransition,
    Recipient,
    Register,
    UnitProfile,
    document_file_name,
)
from sen.documents.states import OUTGOING, outgoing_target
from sen.identity.models import User
from sen.signing import pdfdoc
from sen.signing import services as signing

MAX_SUBJECT = 500
MAX_BODY = 100_000
MAX_APPENDICES = 10
MAX_PDF_BYTES = 20 * 1024 * 1024
MAX_RECIPIENTS = 200
ORGAN_ID_CHARS = set("0123456789.ABCDEFGHIJKLMNOPQRSTUVWXYZ")


# --- Input --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class RecipientIn:
    """A unit inside Sen by its code, or an agency outside by its organ id and name."""

    unit_code: str = ""
    organ_id: str = ""
    name: str = ""


@dataclass(frozen=True)
class Upload:
    name: str
    content: bytes = field(repr=False)


@dataclass(frozen=True)
class DraftIn:
    doc_type: str
    subject: str
    body: str = ""
    urgency: str = Urgency.NORMAL
    confidentiality: str = Confidentiality.NORMAL
    signer: str = ""  # username of the competent signer
    signer_position: str = ""
    signer_authority: str = ""
    recipients: tuple[RecipientIn, ...] = ()
    copies: int = 1


@dataclass(frozen=True)
class _CheckedRecipient:
    unit: OrgUnit | None
    organ_id: str
    name: str

    def as_json(self) -> dict[str, Any]:
        return {"unit": self.unit.code if self.unit else "", "organ_id": self.organ_id, "name": self.name}


def _text(value: Any, name: str, *, limit: int, required: bool = False) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise InvalidInput(_("Trường %(name)s phải là văn bản.") % {"name": name}, details={"field": name})
    text = value.strip()
    if required and not text:
        raise InvalidInput(_("Cần nhập %(name)s.") % {"name": name}, details={"field": name}, code="field_required")
    if len(text) > limit:
        raise InvalidInput(
            _("%(name)s tối đa %(n)s ký tự.") % {"name": name, "n": limit},
            details={"field": name, "max_length": limit},
            code="field_too_long",
        )
    return text


def _choice(value: str, choices: Any, name: str) -> str:
    if value not in choices.values:
        raise InvalidInput(
            _("Giá trị của %(name)s không hợp lệ.") % {"name": name},
            details={"field": name, "allowed": list(choices.values)},
            code="invalid_choice",
        )
    return value


def _recipients_check(items: Sequence[RecipientIn], *, body: OrgUnit) -> list[_CheckedRecipient]:
    if len(items) > MAX_RECIPIENTS:
        raise InvalidInput(_("Tối đa %(n)s nơi nhận.") % {"n": MAX_RECIPIENTS}, code="too_many_recipients")
    checked: list[_CheckedRecipient] = []
    seen: set[str] = set()
    codes = [item.unit_code.strip() for item in items if item.unit_code.strip()]
    units = {unit.code: unit for unit in OrgUnit.objects.filter(code__in=codes, active_to__isnull=True)}
    with_incoming = set(
        Register.objects.filter(body__in=units.values(), direction=Direction.INCOMING, active=True).values_list(
            "body_id", flat=True
        )
    )
    for item in items:
        code = item.unit_code.strip()
        if code:
            unit = units.get(code)
            if unit is None:
                raise InvalidInput(
                    _("Không tìm thấy đơn vị nhận có mã %(code)s.") % {"code": code},
                    details={"field": "recipients", "unit_code": code},
                    code="unknown_recipient",
                )
            if unit.pk not in with_incoming:
                raise InvalidInput(
                    _("%(unit)s không có sổ văn bản đến: chọn cơ quan của đơn vị này.") % {"unit": unit.name},
                    details={"field": "recipients", "unit_code": code},
                    code="recipient_has_no_register",
                )
            if unit.pk == body.pk:
                raise InvalidInput(_("Cơ quan không gửi văn bản cho chính mình."), code="recipient_is_sender")
            key = f"unit:{unit.pk}"
            entry = _CheckedRecipient(unit=unit, organ_id="", name=unit.name)
        else:
            organ_id = item.organ_id.strip().upper()
            name = _text(item.name, "tên nơi nhận", limit=255, required=True)
            if not organ_id or len(organ_id) > 40 or not set(organ_id) <= ORGAN_ID_CHARS:
                raise InvalidInput(
                    _("Mã định danh cơ quan nhận “%(code)s” không hợp lệ (ví dụ 000.00.00.G22).") % {"code": organ_id},
                    details={"field": "recipients", "organ_id": organ_id},
                    code="invalid_organ_id",
                )
            local = OrgUnit.objects.filter(code=organ_id, active_to__isnull=True).first()
            if local is not None:
                # An agency inside Sen: deliver inside, not over the exchange.
                if not Register.objects.filter(body=local, direction=Direction.INCOMING, active=True).exists():
                    raise InvalidInput(
                        _("%(unit)s không có sổ văn bản đến.") % {"unit": local.name}, code="recipient_has_no_register"
                    )
                key = f"unit:{local.pk}"
                entry = _CheckedRecipient(unit=local, organ_id="", name=local.name)
            else:
                key = f"organ:{organ_id}"
                entry = _CheckedRecipient(unit=None, organ_id=organ_id, name=name)
        if key not in seen:
            seen.add(key)
            checked.append(entry)
    return checked


def _signer_check(username: str, body: OrgUnit) -> User | None:
    username = (username or "").strip()
    if not username:
        return None
    signer = User.objects.filter(username=username, is_active=True).first()
    if signer is None or not policies.is_leader(signer, body):
        raise InvalidInput(
            _("Người ký phải là lãnh đạo của %(body)s.") % {"body": body.name},
            details={"field": "signer"},
            code="signer_not_eligible",
        )
    return signer


@dataclass(frozen=True)
class _CheckedDraft:
    doc_type: str
    subject: str
    body: str
    urgency: str
    confidentiality: str
    signer: User | None
    signer_position: str
    signer_authority: str
    recipients: list[_CheckedRecipient]
    copies: int


def _draft_check(data: DraftIn, *, body: OrgUnit) -> _CheckedDraft:
    copies = data.copies
    if not isinstance(copies, int) or not 1 <= copies <= 999:
        raise InvalidInput(_("Số lượng bản phải từ 1 đến 999."), details={"field": "copies"})
    return _CheckedDraft(
        doc_type=_choice(data.doc_type, DocumentType, "loại văn bản"),
        subject=_text(data.subject, "trích yếu", limit=MAX_SUBJECT, required=True),
        body=_text(data.body, "nội dung", limit=MAX_BODY),
        urgency=_choice(data.urgency, Urgency, "độ khẩn"),
        confidentiality=_choice(data.confidentiality, Confidentiality, "độ mật"),
        signer=_signer_check(data.signer, body),
        signer_position=_text(data.signer_position, "chức vụ người ký", limit=120),
        signer_authority=_text(data.signer_authority, "thẩm quyền ký", limit=160),
        recipients=_recipients_check(data.recipients, body=body),
        copies=copies,
    )


def pdf_check(upload: Upload) -> bytes:
    """An uploaded PDF: size, type by content, readable, not encrypted."""
    name = upload.name or "tep.pdf"
    if len(upload.content) > MAX_PDF_BYTES:
        raise InvalidInput(
            _("Tệp “%(name)s” vượt quá %(n)s MB.") % {"name": name, "n": MAX_PDF_BYTES // (1024 * 1024)},
            code="file_too_large",
        )
    reader = pdfdoc.open_reader(upload.content)
    if reader.encrypted:
        raise InvalidInput(_("Tệp “%(name)s” được mã hóa (đặt mật khẩu).") % {"name": name}, code="encrypted_pdf")
    return upload.content


def _clean_name(name: str) -> str:
    return (name or "").replace("\\", "/").rsplit("/", 1)[-1].strip()[:255] or "tep.pdf"


# --- Files --------------------------------------------------------------------------------------
def _file_add(
    written: list[str], *, document: OutgoingDocument, role: str, name: str, data: bytes, actor: Any
) -> DocumentFile:
    sha256 = files.sha256_of(data)
    stored = files.store(written, document_file_name(sha256), data)
    return DocumentFile.objects.create(
        outgoing=document,
        role=role,
        name=_clean_name(name),
        size=len(data),
        sha256=sha256,
        file=stored,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )


def file_bytes(document_file: DocumentFile) -> bytes:
    return files.read(str(document_file.file.name))


def _profile(unit: OrgUnit) -> UnitProfile | None:
    return UnitProfile.objects.filter(unit=unit).first()


def _content(document: OutgoingDocument, draft: _CheckedDraft) -> rendering.Content:
    signer = draft.signer
    return rendering.Content(
        doc_type=draft.doc_type,
        subject=draft.subject,
        body=draft.body,
        urgency=draft.urgency,
        confidentiality=draft.confidentiality,
        signer_name=(signer.full_name or signer.username) if signer is not None else "",
        signer_position=draft.signer_position,
        signer_authority=draft.signer_authority,
        recipients=tuple(recipient.name for recipient in draft.recipients),
        drafting_abbreviation=numbering.abbreviation_of(document.drafting_unit),
    )


def _version_add(
    written: list[str], *, document: OutgoingDocument, draft: _CheckedDraft, actor: User, now: dt.datetime, note: str
) -> DocumentVersion:
    profile = _profile(document.organisation)
    pdf, layout = rendering.document_pdf(
        _content(document, draft), body=document.organisation, heading=profile.heading if profile else ""
    )
    number = (document.versions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    pdf_file = _file_add(
        written,
        document=document,
        role=FileRole.DRAFT,
        name=f"du-thao-v{number}.pdf",
        data=pdf,
        actor=actor,
    )
    version = DocumentVersion.objects.create(
        document=document,
        number=number,
        doc_type=draft.doc_type,
        subject=draft.subject,
        body=draft.body,
        urgency=draft.urgency,
        confidentiality=draft.confidentiality,
        signer_position=draft.signer_position,
        signer_authority=draft.signer_authority,
        recipients=[recipient.as_json() for recipient in draft.recipients],
        pdf=pdf_file,
        layout=layout.as_json(),
        created_by=actor,
        created_at=now,
        note=note,
    )
    return version


def _recipients_replace(document: OutgoingDocument, recipients: Sequence[_CheckedRecipient]) -> None:
    Recipient.objects.filter(document=document).delete()
    Recipient.objects.bulk_create(
        Recipient(document=document, unit=item.unit, organ_id=item.organ_id, name=item.name) for item in recipients
    )


def _apply(document: OutgoingDocument, draft: _CheckedDraft) -> None:
    document.doc_type = draft.doc_type
    document.subject = draft.subject
    document.body = draft.body
    document.urgency = draft.urgency
    document.confidentiality = draft.confidentiality
    document.signer = draft.signer
    document.signer_position = draft.signer_position
    document.signer_authority = draft.signer_authority
    document.copies = draft.copies
    document.search_text = search_text_of(document)


def search_text_of(document: OutgoingDocument) -> str:
    """The folded (lower case, no diacritics) text the search matches on every field. It is stored, so
    the type is named in Vietnamese whoever saves the document."""
    parts = [
        document.reference,
        vietnamese_label(DocumentType(document.doc_type)) if document.doc_type in DocumentType.values else "",
        document.subject,
        document.body,
        document.signer_position,
        document.signer.full_name if document.signer_id and document.signer else "",
    ]
    return search_words(" ".join(part for part in parts if part))


def _appendices_add(
    written: list[str], *, document: OutgoingDocument, appendices: Sequence[Upload], actor: User
) -> list[DocumentFile]:
    current = document.files.filter(role=FileRole.APPENDIX, superseded=False).count()
    if current + len(appendices) > MAX_APPENDICES:
        raise InvalidInput(_("Tối đa %(n)s phụ lục.") % {"n": MAX_APPENDICES}, code="too_many_appendices")
    return [
        _file_add(written, document=document, role=FileRole.APPENDIX, name=item.name, data=item.content, actor=actor)
        for item in appendices
    ]


def _request_hash(body: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()


Made = Literal["outgoing", "incoming", "case_file"]
T = TypeVar("T")


def _replayed(actor: User, key: str, request_hash: str, *, made: Made) -> Any:
    """What the actor's first request with `key` made (its IssueKey field `made`), for the same request
    again; None for a key not used yet. A key used for another request, or another kind of write, is a
    Conflict `idempotency_key_reused`."""
    existing = IssueKey.objects.filter(account=actor, key=key).select_related(made).first()
    if existing is None:
        return None
    target = getattr(existing, made)
    if existing.request_hash != request_hash or target is None:
        raise Conflict(_("Khóa Idempotency-Key này đã được dùng cho một yêu cầu khác."), code="idempotency_key_reused")
    return target


def _once(actor: User, key: str, request_hash: str, *, made: Made, write: Callable[[], T]) -> T:
    """`write()` (which stores the IssueKey with what it made), unless the actor's `key` already made
    it: then that (`_replayed`), also when the same request committed while this one ran and this
    one's key broke the unique constraint. Without a key, plain `write()`; an IntegrityError that no
    replay explains goes up."""
    replayed = _replayed(actor, key, request_hash, made=made) if key else None
    if replayed is not None:
        return replayed
    try:
        return write()
    except IntegrityError:
        replayed = _replayed(actor, key, request_hash, made=made) if key else None
        if replayed is None:
            raise
        return replayed


def _key_check(idempotency_key: str) -> str:
    key = (idempotency_key or "").strip()
    if len(key) > 128:
        raise InvalidInput(_("Idempotency-Key tối đa 128 ký tự."), code="idempotency_key_invalid")
    return key


# --- Creating and editing drafts ------------------------------------------------------------------
def outgoing_create(
    *,
    actor: User,
    data: DraftIn,
    drafting_unit: OrgUnit | None = None,
    appendices: Sequence[Upload] = (),
    replaces: OutgoingDocument | None = None,
    idempotency_key: str = "",
) -> OutgoingDocument:
    """A new draft by `actor` for their drafting unit (where they are posted, unless given). With an
    Idempotency-Key a retry answers with the same draft."""
    if not policies.is_person(actor):
        raise PermissionDenied()
    unit = drafting_unit or policies.home_unit(actor)
    if unit is None or not policies.can_draft_in(actor, unit):
        raise PermissionDenied(_("Bạn không soạn thảo văn bản được cho đơn vị này."))
    body = policies.body_of(unit)
    assert body is not None  # can_draft_in checked it
    draft = _draft_check(data, body=body)
    checked_appendices = [Upload(name=item.name, content=pdf_check(item)) for item in appendices]
    if replaces is not None:
        replaces = _replaceable(actor, replaces, body)
    key = _key_check(idempotency_key)
    request_hash = _request_hash(
        {
            "data": asdict(data),
            "unit": unit.pk,
            "appendices": [files.sha256_of(item.content) for item in checked_appendices],
            "replaces": replaces.pk if replaces else None,
        }
    )

    def write() -> OutgoingDocument:
        now = timezone.now()
        with files.written() as written, transaction.atomic():
            document = OutgoingDocument(organisation=body, drafting_unit=unit, drafter=actor, replaces=replaces)
            _apply(document, draft)
            document.save()
            _recipients_replace(document, draft.recipients)
            _appendices_add(written, document=document, appendices=checked_appendices, actor=actor)
            version = _version_add(written, document=document, draft=draft, actor=actor, now=now, note="")
            document.current_version = version
            document.save(update_fields=["current_version"])
            _history(document=document, action=OutgoingAction.CREATE, actor=actor, at=now, from_state="")
            audit.record(
                actor=actor,
                action="documents.outgoing.create",
                obj=document,
                after={"subject": draft.subject, "type": draft.doc_type, "version": 1, "sha256": version.pdf.sha256},
                acting_unit=body,
            )
            if key:
                IssueKey.objects.create(key=key, account=actor, request_hash=request_hash, outgoing=document)
        return document

    return _once(actor, key, request_hash, made="outgoing", write=write)


def _replaceable(actor: User, old: OutgoingDocument, body: OrgUnit) -> OutgoingDocument:
    if not policies.can_view_outgoing(actor, old):
        raise NotFound(_("Không tìm thấy văn bản."), code="document_not_found")
    if old.organisation_id != body.pk or old.state not in policies.REPLACEABLE_STATES:
        raise InvalidInput(_("Chỉ thay thế được văn bản đã phát hành của chính cơ quan."), code="not_replaceable")
    return old


def _locked(document: OutgoingDocument) -> OutgoingDocument | None:
    return (
        OutgoingDocument.objects.select_for_update(of=("self",))
        .select_related("organisation__parent", "drafting_unit", "drafter", "signer", "current_version__pdf")
        .filter(pk=document.pk)
        .first()
    )


def outgoing_edit(
    *,
    actor: User,
    document: OutgoingDocument,
    data: DraftIn,
    appendices_add: Sequence[Upload] = (),
    appendices_remove: Sequence[int] = (),
    note: str = "",
) -> OutgoingDocument:
    """The drafter saves a new version of a draft (state `draft` only); the previous ones stay."""
    checked_appendices = [Upload(name=item.name, content=pdf_check(item)) for item in appendices_add]
    note = _text(note, "ghi chú", limit=2000)
    with files.written() as written, transaction.atomic():
        locked = _locked(document)
        if locked is None or not policies.can_view_outgoing(actor, locked):
            raise NotFound(_("Không tìm thấy văn bản."), code="document_not_found")
        if not policies.can_act_outgoing(actor, OutgoingAction.EDIT, locked):
            raise PermissionDenied(_("Chỉ người soạn thảo sửa được dự thảo."))
        _state_check(locked, OutgoingAction.EDIT)
        draft = _draft_check(data, body=locked.organisation)
        now = timezone.now()
        if appendices_remove:
            locked.files.filter(role=FileRole.APPENDIX, superseded=False, pk__in=list(appendices_remove)).update(
                superseded=True
            )
        _appendices_add(written, document=locked, appendices=checked_appendices, actor=actor)
        _apply(locked, draft)
        _recipients_replace(locked, draft.recipients)
        version = _version_add(written, document=locked, draft=draft, actor=actor, now=now, note=note)
        locked.current_version = version
        locked.save()
        _history(
            document=locked, action=OutgoingAction.EDIT, actor=actor, at=now, from_state=locked.state, comment=note
        )
        audit.record(
            actor=actor,
            action="documents.outgoing.edit",
            obj=locked,
            after={"version": version.number, "sha256": version.pdf.sha256, "subject": draft.subject},
            acting_unit=locked.organisation,
        )
    return locked


# --- Moving state ---------------------------------------------------------------------------------
@dataclass
class _Step:
    document: OutgoingDocument
    actor: User
    now: dt.datetime
    kwargs: dict[str, Any]
    written: list[str]
    details: dict[str, Any] = field(default_factory=dict)

    def text(self, name: str, *, limit: int = 4000) -> str:
        return _text(self.kwargs.get(name), name, limit=limit)


def _state_check(document: OutgoingDocument, action: str) -> None:
    transition = OUTGOING[action]
    if document.state not in transition.sources:
        raise Conflict(
            _("Không thể “%(action)s” khi văn bản đang ở trạng thái “%(state)s”.")
            % {"action": OutgoingAction(action).label, "state": OutgoingState(document.state).label},
            details={"state": document.state, "action": action, "allowed_from": sorted(transition.sources)},
            code="invalid_transition",
        )


def _history(
    *,
    document: OutgoingDocument,
    action: str,
    actor: Any,
    at: dt.datetime,
    from_state: str,
    comment: str = "",
    details: dict[str, Any] | None = None,
) -> OutgoingTransition:
    return OutgoingTransition.objects.create(
        document=document,
        action=action,
        from_state=from_state,
        to_state=document.state,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        at=at,
        version=document.current_version,
        comment=comment,
        details=details or {},
    )


def _on_submit(ctx: _Step) -> None:
    document = ctx.document
    if document.signer_id is None:
        raise InvalidInput(_("Cần chọn người ký trước khi trình."), details={"field": "signer"}, code="signer_required")
    value = ctx.kwargs.get("reviewer")
    if value:
        reviewer = value if isinstance(value, User) else User.objects.filter(username=str(value).strip()).first()
        if reviewer is None or not policies.is_leader(reviewer, document.drafting_unit):
            raise InvalidInput(
                _("Người duyệt phải là lãnh đạo của %(unit)s.") % {"unit": document.drafting_unit.name},
                details={"field": "reviewer"},
                code="reviewer_not_eligible",
            )
        document.reviewer = reviewer
        ctx.details["reviewer"] = reviewer.username


def _on_approve(ctx: _Step) -> None:
    ctx.details["approved"] = vietnamese_label(OutgoingState(ctx.document.state))


def _on_send_back(ctx: _Step) -> None:
    if not ctx.text("comment"):
        raise InvalidInput(
            _("Cần ghi ý kiến khi trả lại dự thảo."), details={"field": "comment"}, code="comment_required"
        )


def _current_pdf(document: OutgoingDocument, role: str) -> DocumentFile:
    found = document.files.filter(role=role, superseded=False).order_by("-id").first()
    if found is None:
        raise Conflict(_("Không tìm thấy tệp văn bản cần cho bước này."), code="file_missing")
    return found


def _on_sign(ctx: _Step) -> None:
    document = ctx.document
    version = document.current_version
    assert version is not None
    layout = rendering.Layout.from_json(version.layout)
    prepared = signing.document_prepare(
        file_bytes(version.pdf),
        signer_box=layout.signer_box,
        signer_page=layout.signer_page,
        number_box=layout.number_box,
        date_box=layout.date_box,
    )
    signed = signing.sign_as_signer(
        prepared,
        user=ctx.actor,
        position_title=document.signer_position or "Người ký",  # in the signature: Vietnamese
        actor=ctx.actor,
        location=_place(document.organisation),
    )
    stored = _file_add(
        ctx.written, document=document, role=FileRole.SIGNED, name="van-ban-da-ky.pdf", data=signed, actor=ctx.actor
    )
    document.signed_at = ctx.now
    ctx.details.update({"version": version.number, "sha256": stored.sha256})


def _place(body: OrgUnit) -> str:
    from django.conf import settings

    profile = _profile(body)
    return profile.place if profile is not None and profile.place else settings.SEN_PROVINCE_NAME


def _on_number(ctx: _Step) -> None:
    document = ctx.document
    assert document.signed_at is not None
    signed_day = document.signed_at.astimezone(VN_TZ).date()
    register = numbering.register_for(document.organisation, Direction.OUTGOING, secret=document.is_secret)
    symbol = numbering.symbol_for(document.doc_type, body=document.organisation, drafting_unit=document.drafting_unit)
    number = numbering.next_number(register, signed_day.year)
    document.register = register
    document.year = signed_day.year
    document.number = number
    document.symbol = symbol
    document.reference = numbering.reference_text(number, symbol)
    document.issued_on = signed_day
    document.numbered_at = ctx.now
    document.search_text = search_text_of(document)
    ctx.details.update({"register": register.pk, "number": number, "reference": document.reference})


def _on_seal(ctx: _Step) -> None:
    document = ctx.document
    assert document.issued_on is not None
    sealed = signing.sign_as_organisation(
        file_bytes(_current_pdf(document, FileRole.SIGNED)),
        unit=document.organisation,
        number=document.reference,
        date=document.issued_on,
        actor=ctx.actor,
        place=_place(document.organisation),
    )
    final = _file_add(
        ctx.written,
        document=document,
        role=FileRole.FINAL,
        name=f"{document.reference.replace('/', '_')}.pdf",
        data=sealed,
        actor=ctx.actor,
    )
    appendix_hashes = []
    for index, appendix in enumerate(document.files.filter(role=FileRole.APPENDIX, superseded=False), start=1):
        signed = signing.sign_appendix(
            file_bytes(appendix), unit=document.organisation, number=document.reference, actor=ctx.actor
        )
        stored = _file_add(
            ctx.written,
            document=document,
            role=FileRole.APPENDIX_SIGNED,
            name=f"phu-luc-{index}-{appendix.name}",
            data=signed,
            actor=ctx.actor,
        )
        appendix_hashes.append(stored.sha256)
    document.sealed_at = ctx.now
    ctx.details.update({"sha256": final.sha256, "appendices": appendix_hashes})


def _on_issue(ctx: _Step) -> None:
    document = ctx.document
    document.issued_at = ctx.now
    recipients = list(document.recipients.all())
    if not recipients:
        raise InvalidInput(_("Văn bản chưa có nơi nhận."), details={"field": "recipients"}, code="recipients_required")
    ids = [recipient.pk for recipient in recipients]
    ctx.details["recipients"] = [recipient.name for recipient in recipients]
    if document.replaces_id is not None:
        Notice.objects.create(
            document_id=document.replaces_id,
            kind=NoticeKind.REPLACE,
            text=f"Được thay thế bởi văn bản số {document.reference}.",  # kept and shown as written
            replacement=document,
            actor=ctx.actor,
            at=ctx.now,
        )
    from sen.documents import tasks

    enqueue(tasks.deliver, document.pk, ids)


def _on_file(ctx: _Step) -> None:
    document = ctx.document
    case_file = _case_file_to_fill(ctx.kwargs.get("case_file"), body_id=document.organisation_id)
    CaseFileItem.objects.create(case_file=case_file, outgoing=document, added_by=ctx.actor, added_at=ctx.now)
    document.filed_at = ctx.now
    ctx.details["case_file"] = case_file.code


def _notice(ctx: _Step, kind: str, *, required: str) -> None:
    text = ctx.text("comment")
    if not text:
        raise InvalidInput(required, details={"field": "comment"}, code="comment_required")
    Notice.objects.create(document=ctx.document, kind=kind, text=text, actor=ctx.actor, at=ctx.now)
    ctx.details["notice"] = kind
    from sen.documents import tasks

    enqueue(tasks.notice_send, ctx.document.pk, kind, text)


def _on_recall(ctx: _Step) -> None:
    ctx.document.recalled_at = ctx.now
    _notice(ctx, NoticeKind.RECALL, required=_("Cần nêu lý do thu hồi."))


def _on_correct(ctx: _Step) -> None:
    _notice(ctx, NoticeKind.CORRECT, required=_("Cần ghi nội dung đính chính."))


def _on_edit(ctx: _Step) -> None:
    raise InvalidInput(_("Sửa dự thảo bằng outgoing_edit."), code="use_edit")


HANDLERS: dict[str, Callable[[_Step], None]] = {
    OutgoingAction.EDIT: _on_edit,
    OutgoingAction.SUBMIT: _on_submit,
    OutgoingAction.APPROVE: _on_approve,
    OutgoingAction.SEND_BACK: _on_send_back,
    OutgoingAction.SIGN: _on_sign,
    OutgoingAction.NUMBER: _on_number,
    OutgoingAction.SEAL: _on_seal,
    OutgoingAction.ISSUE: _on_issue,
    OutgoingAction.FILE: _on_file,
    OutgoingAction.RECALL: _on_recall,
    OutgoingAction.CORRECT: _on_correct,
}
assert set(HANDLERS) == set(OUTGOING), "every action of the table has a handler"


def outgoing_transition(*, actor: User, document: OutgoingDocument, action: str, **kwargs: Any) -> OutgoingDocument:
    """Apply `action` to `document` as `actor`. kwargs: comment (send-back, recall, correct, and any
    step), reviewer (submit), case_file (file)."""
    if action not in OUTGOING:
        raise InvalidInput(
            _("Thao tác “%(action)s” không tồn tại.") % {"action": action},
            details={"allowed": list(OUTGOING)},
            code="unknown_action",
        )
    with files.written() as written, transaction.atomic():
        locked = _locked(document)
        if locked is None or not policies.can_view_outgoing(actor, locked):
            raise NotFound(_("Không tìm thấy văn bản."), code="document_not_found")
        if not policies.can_act_outgoing(actor, action, locked):
            raise PermissionDenied(_("Bạn không có quyền thực hiện thao tác này với văn bản."))
        _state_check(locked, action)
        from_state = locked.state
        ctx = _Step(document=locked, actor=actor, now=timezone.now(), kwargs=dict(kwargs), written=written)
        HANDLERS[action](ctx)
        locked.state = outgoing_target(action, from_state)
        locked.save()
        comment = ctx.text("comment")
        _history(
            document=locked,
            action=action,
            actor=actor,
            at=ctx.now,
            from_state=from_state,
            comment=comment,
            details=audit.to_jsonable(ctx.details),
        )
        audit.record(
            actor=actor,
            action=f"documents.outgoing.{action}",
            obj=locked,
            before={"state": from_state},
            after={"state": locked.state, "comment": comment, **audit.to_jsonable(ctx.details)},
            acting_unit=locked.organisation,
        )
    return locked


# --- Case files -----------------------------------------------------------------------------------
def _case_file_to_fill(value: Any, *, body_id: int) -> CaseFile:
    """The open case file of the body that `value` names (a CaseFile or its id), read again under a
    row lock: a concurrent close either waits for this filing or is seen here."""
    try:
        pk = int(value.pk if isinstance(value, CaseFile) else value)
    except (TypeError, ValueError):
        pk = 0
    case_file = CaseFile.objects.select_for_update().filter(pk=pk).first() if pk else None
    if case_file is None or case_file.body_id != body_id:
        raise InvalidInput(
            _("Cần chọn hồ sơ của cơ quan để lưu văn bản."), details={"field": "case_file"}, code="case_file_required"
        )
    if case_file.closed_at is not None:
        raise Conflict(_("Hồ sơ đã kết thúc, không thêm văn bản được."), code="case_file_closed")
    return case_file


def _case_file_unit(value: OrgUnit | str | None, body: OrgUnit) -> OrgUnit | None:
    """The unit that keeps the file, given or by its code: the body or a unit under it."""
    if value in (None, ""):
        return None
    unit = value if isinstance(value, OrgUnit) else OrgUnit.objects.filter(code=str(value).strip()).first()
    if unit is None or unit.active_to is not None or body.pk not in (unit.ancestor_ids() or [unit.pk]):
        raise InvalidInput(
            _("Đơn vị lập hồ sơ phải là một đơn vị của %(body)s.") % {"body": body.name},
            details={"field": "unit"},
            code="unit_not_in_body",
        )
    return unit


def _case_file_keeper(value: User | str | None, body: OrgUnit) -> User | None:
    """The person who keeps the file, given or by username: someone posted in the body today."""
    if value in (None, ""):
        return None
    keeper = value if isinstance(value, User) else User.objects.filter(username=str(value).strip()).first()
    home = policies.home_unit(keeper) if keeper is not None and keeper.is_active else None
    if keeper is None or home is None or body.pk not in (home.ancestor_ids() or [home.pk]):
        raise InvalidInput(
            _("Người lập hồ sơ phải là cán bộ của %(body)s.") % {"body": body.name},
            details={"field": "keeper"},
            code="keeper_not_eligible",
        )
    return keeper


def _case_file_exists(year: int, code: str) -> Conflict:
    return Conflict(
        _("Danh mục hồ sơ năm %(year)s đã có hồ sơ số %(code)s.") % {"year": year, "code": code},
        details={"field": "code", "year": year, "code": code},
        code="case_file_exists",
    )


def case_file_create(
    *,
    actor: User,
    body: OrgUnit,
    code: str,
    title: str,
    year: int | None = None,
    retention: str = "",
    unit: OrgUnit | str | None = None,
    keeper: User | str | None = None,
    idempotency_key: str = "",
) -> CaseFile:
    """A case file of the body's annual file list (the clerk's, or a leader's), for `year` (this year
    in Vietnam unless given). Its code is unique in the body's list of the year: a creation without
    a key, or with another key, of a code already there is a Conflict `case_file_exists`. A retry with
    the same Idempotency-Key and the same request answers with the file the first one made (also
    when the two run at once), never a second file; a key reused for another request is
    `idempotency_key_reused`."""
    if not policies.can_keep_case_files(actor, body):
        raise PermissionDenied(_("Chỉ văn thư hoặc lãnh đạo cơ quan lập danh mục hồ sơ."))
    if policies.body_of(body) != body:
        raise InvalidInput(
            _("%(unit)s không phải cơ quan ban hành văn bản.") % {"unit": body.name},
            details={"field": "body"},
            code="not_an_issuing_body",
        )
    if year is None:
        year = timezone.now().astimezone(VN_TZ).year
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        raise InvalidInput(_("Năm không hợp lệ."), details={"field": "year"}, code="invalid_year")
    code = _text(code, "số, ký hiệu hồ sơ", limit=40, required=True)
    title = _text(title, "tiêu đề hồ sơ", limit=500, required=True)
    retention = _text(retention, "thời hạn bảo quản", limit=40) or CaseFile.PERMANENT
    unit = _case_file_unit(unit, body)
    keeper = _case_file_keeper(keeper, body)
    key = _key_check(idempotency_key)
    request_hash = _request_hash(
        {
            "case_file": [body.pk, year, code, title, retention],
            "unit": unit.pk if unit else None,
            "keeper": keeper.pk if keeper else None,
        }
    )

    def write() -> CaseFile:
        with transaction.atomic():
            case_file = CaseFile.objects.create(
                body=body, year=year, code=code, title=title, retention=retention, unit=unit, keeper=keeper
            )
            audit.record(
                actor=actor,
                action="documents.case_file.create",
                obj=case_file,
                after={
                    "year": year,
                    "code": code,
                    "title": title,
                    "retention": retention,
                    "unit": unit.code if unit else "",
                    "keeper": keeper.username if keeper else "",
                },
                acting_unit=body,
            )
            if key:
                IssueKey.objects.create(key=key, account=actor, request_hash=request_hash, case_file=case_file)
        return case_file

    try:
        return _once(actor, key, request_hash, made="case_file", write=write)
    except IntegrityError:
        # Not the same request committed at the same moment (that one is replayed): the code is taken.
        raise _case_file_exists(year, code) from None


def case_file_close(*, actor: User, case_file: CaseFile) -> CaseFile:
    """End a case file (kết thúc hồ sơ) by the server's clock: it takes no more documents."""
    with transaction.atomic():
        locked = CaseFile.objects.select_for_update(of=("self",)).select_related("body").filter(pk=case_file.pk).first()
        if locked is None or not policies.can_keep_case_files(actor, locked.body):
            raise NotFound(_("Không tìm thấy hồ sơ."), code="case_file_not_found")
        if locked.closed_at is not None:
            raise Conflict(
                _("Hồ sơ %(code)s đã kết thúc từ %(at)s.")
                % {"code": locked.code, "at": locked.closed_at.astimezone(VN_TZ).strftime("%H:%M %d/%m/%Y")},
                code="case_file_already_closed",
            )
        locked.closed_at = timezone.now()
        locked.save(update_fields=["closed_at"])
        audit.record(
            actor=actor,
            action="documents.case_file.close",
            obj=locked,
            before={"closed_at": None},
            after={"closed_at": locked.closed_at, "documents": locked.items.count()},
            acting_unit=locked.body,
        )
    return locked


def incoming_file_into(*, actor: User, case_file: CaseFile | int, incoming: Any) -> CaseFileItem:
    """File a registered incoming document into an open case file of its body."""
    from sen.documents.models import IncomingDocument

    if not isinstance(incoming, IncomingDocument) or not policies.can_view_incoming(actor, incoming):
        raise NotFound(_("Không tìm thấy văn bản."), code="document_not_found")
    if not policies.can_file_incoming(actor, incoming):
        raise Conflict(
            _("Chỉ lưu vào hồ sơ văn bản đến đã vào sổ."),
            details={"state": incoming.state},
            code="incoming_not_registered",
        )
    try:
        with transaction.atomic():
            locked = _case_file_to_fill(case_file, body_id=incoming.organisation_id)
            item = CaseFileItem.objects.create(
                case_file=locked, incoming=incoming, added_by=actor, added_at=timezone.now()
            )
            audit.record(
                actor=actor,
                action="documents.incoming.file",
                obj=incoming,
                after={"case_file": locked.code, "year": locked.year},
                acting_unit=incoming.organisation,
            )
    except IntegrityError:
        raise Conflict(_("Văn bản đã có trong hồ sơ này."), code="already_filed") from None
    return item
