"""Documents API: outgoing drafts and their steps, incoming documents and theirs, files, registers,
case files (the annual file list), search and leaders' participation. Files travel as base64 inside
JSON (a document's PDFs are small; one request carries the draft and its appendices, or a paper
document and its scans, so an Idempotency-Key covers them all)."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from typing import Any

from django.http import FileResponse, HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import Field

from sen.core import files
from sen.core.calendar import VN_TZ
from sen.core.exceptions import InvalidInput, NotAuthenticated
from sen.core.models import OrgUnit
from sen.documents import policies, selectors, services, services_incoming
from sen.documents.choices import Confidentiality, IncomingState, OutgoingState, Urgency
from sen.documents.models import CaseFile, CaseFileItem, DocumentFile, IncomingDocument, OutgoingDocument
from sen.identity.models import User

router = Router(tags=["documents"])


class ErrorOut(Schema):
    code: str
    message: str
    details: Any = None


ERRORS: dict[int, type[Schema]] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


class FileIn(Schema):
    name: str = Field(..., max_length=255)
    content_base64: str = Field(..., description="Nội dung tệp PDF, mã hóa base64")


class RecipientSchema(Schema):
    unit_code: str = Field("", max_length=40, description="Mã đơn vị nhận trong Sen")
    organ_id: str = Field("", max_length=40, description="Mã định danh cơ quan nhận ngoài Sen")
    name: str = Field("", max_length=255)


class DraftSchema(Schema):
    doc_type: str = Field(..., description="Viết tắt loại văn bản (QĐ, TB, KH, BC, TTr…) hoặc CV (công văn)")
    subject: str
    body: str = ""
    urgency: str = Urgency.NORMAL
    confidentiality: str = Confidentiality.NORMAL
    signer: str = Field("", description="Tên đăng nhập người ký")
    signer_position: str = ""
    signer_authority: str = Field("", description="TM., KT., Q., TL., TUQ. …")
    recipients: list[RecipientSchema] = []
    copies: int = 1


class DraftCreateIn(DraftSchema):
    drafting_unit: str = Field("", description="Mã đơn vị soạn thảo (mặc định: nơi công tác)")
    appendices: list[FileIn] = []
    replaces: int | None = Field(None, description="Văn bản đã phát hành được thay thế")


class DraftEditIn(DraftSchema):
    appendices_add: list[FileIn] = []
    appendices_remove: list[int] = []
    note: str = ""


class ActionIn(Schema):
    comment: str = Field("", max_length=4000)
    reviewer: str = Field("", max_length=150)
    case_file: int | None = None
    lead_unit: str = Field("", max_length=40)
    supporting_units: list[str] = []
    handler: str = Field("", max_length=150)
    deadline: dt.date | None = None
    instruction: str = Field("", max_length=4000)
    on_behalf_of: str = Field("", max_length=150, description="Lãnh đạo đã chỉ đạo trên giấy (văn thư ghi lại)")


class PaperIn(Schema):
    body: str = Field(..., description="Mã cơ quan nhận")
    sender_name: str
    sender_organ_id: str = ""
    subject: str
    reference: str = ""
    issued_on: dt.date | None = None
    doc_type: str = ""
    urgency: str = Urgency.NORMAL
    confidentiality: str = Confidentiality.NORMAL
    signer_name: str = ""
    files: list[FileIn] = []


class CaseFileIn(Schema):
    body: str = Field("", description="Mã cơ quan (mặc định: cơ quan nơi công tác)")
    year: int | None = Field(None, description="Năm của danh mục (mặc định: năm nay, giờ Việt Nam)")
    code: str = Field(..., description="Số, ký hiệu hồ sơ, duy nhất trong danh mục của năm")
    title: str
    retention: str = Field("", description="Thời hạn bảo quản (mặc định: Vĩnh viễn)")
    unit: str = Field("", description="Mã đơn vị lập hồ sơ")
    keeper: str = Field("", description="Tên đăng nhập người lập hồ sơ")


class FileOut(Schema):
    id: int
    role: str
    name: str
    size: int
    sha256: str
    url: str


class HistoryOut(Schema):
    action: str
    from_state: str
    to_state: str
    actor: str | None
    at: dt.datetime
    comment: str
    version: int | None = None


class StatusOut(Schema):
    code: str
    description: str
    at: dt.datetime


class RecipientOut(Schema):
    name: str
    unit_code: str
    organ_id: str
    status: str
    statuses: list[StatusOut]


class NoticeOut(Schema):
    kind: str
    text: str
    at: dt.datetime
    replacement: int | None


class VersionOut(Schema):
    number: int
    subject: str
    created_by: str
    created_at: dt.datetime
    note: str
    sha256: str


class OutgoingOut(Schema):
    id: int
    state: str
    state_label: str
    doc_type: str
    subject: str
    reference: str
    number: int | None
    year: int | None
    issued_on: dt.date | None
    urgency: str
    confidentiality: str
    organisation: str
    drafting_unit: str
    drafter: str
    signer: str | None
    versions: list[VersionOut]
    history: list[HistoryOut]
    recipients: list[RecipientOut]
    files: list[FileOut]
    notices: list[NoticeOut]


class OutgoingRowOut(Schema):
    id: int
    state: str
    doc_type: str
    subject: str
    reference: str
    organisation: str
    drafter: str


class IncomingOut(Schema):
    id: int
    state: str
    state_label: str
    source: str
    organisation: str
    incoming_number: int | None
    year: int | None
    sender_name: str
    sender_organ_id: str
    reference: str
    issued_on: dt.date | None
    subject: str
    urgency: str
    confidentiality: str
    arrived_at: dt.datetime
    problems: list[dict[str, Any]]
    duplicate_of: int | None
    lead_unit: str | None
    supporting_units: list[str]
    handler: str | None
    deadline: dt.date | None
    instruction: str
    directed_in_software: bool | None
    history: list[HistoryOut]
    files: list[FileOut]
    notices: list[NoticeOut]


class IncomingRowOut(Schema):
    id: int
    state: str
    incoming_number: int | None
    sender_name: str
    reference: str
    subject: str
    arrived_at: dt.datetime


class CaseFileOut(Schema):
    id: int
    body: str
    body_name: str
    year: int
    code: str
    title: str
    retention: str
    unit: str | None
    keeper: str | None
    closed_at: dt.datetime | None
    created_at: dt.datetime
    document_count: int


class CaseFileItemOut(Schema):
    direction: str = Field(..., description="out: văn bản đi, in: văn bản đến")
    document: int
    reference: str
    issued_on: dt.date | None
    subject: str
    added_at: dt.datetime
    added_by: str | None
    url: str


class CaseFileDetailOut(CaseFileOut):
    items: list[CaseFileItemOut]


class ParticipationOut(Schema):
    username: str
    full_name: str
    unit: str
    directed: int
    directed_total: int
    directed_share: float | None
    approved: int
    signed: int
    waiting_signature: int
    signed_share: float | None
    median_direct_hours: float | None
    median_sign_hours: float | None


def _actor(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User):
        raise NotAuthenticated()
    return user


def _decoded(item: FileIn) -> services.Upload:
    # The base64 text is about 4/3 of the file: refuse oversized files before decoding them.
    if len(item.content_base64) > services.MAX_PDF_BYTES * 4 // 3 + 4:
        raise InvalidInput(_("Tệp “%(name)s” vượt quá 20 MB.") % {"name": item.name}, code="file_too_large")
    try:
        content = base64.b64decode(item.content_base64, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidInput(
            _("Nội dung tệp “%(name)s” không phải base64 hợp lệ.") % {"name": item.name}, code="invalid_base64"
        ) from None
    return services.Upload(name=item.name, content=content)


def _draft(payload: DraftSchema) -> services.DraftIn:
    return services.DraftIn(
        doc_type=payload.doc_type,
        subject=payload.subject,
        body=payload.body,
        urgency=payload.urgency,
        confidentiality=payload.confidentiality,
        signer=payload.signer,
        signer_position=payload.signer_position,
        signer_authority=payload.signer_authority,
        recipients=tuple(services.RecipientIn(**item.dict()) for item in payload.recipients),
        copies=payload.copies,
    )


def _name(user: Any) -> str | None:
    return user.get_username() if user is not None else None


def _file_out(item: DocumentFile) -> dict[str, Any]:
    return {
        "id": item.pk,
        "role": item.role,
        "name": item.name,
        "size": item.size,
        "sha256": item.sha256,
        "url": reverse("api:document_file", args=[item.pk]),
    }


def _notice_out(notice: Any) -> dict[str, Any]:
    return {"kind": notice.kind, "text": notice.text, "at": notice.at, "replacement": notice.replacement_id}


def outgoing_out(document: OutgoingDocument) -> dict[str, Any]:
    return {
        "id": document.pk,
        "state": document.state,
        "state_label": str(OutgoingState(document.state).label),
        "doc_type": document.doc_type,
        "subject": document.subject,
        "reference": document.reference,
        "number": document.number,
        "year": document.year,
        "issued_on": document.issued_on,
        "urgency": document.urgency,
        "confidentiality": document.confidentiality,
        "organisation": document.organisation.name,
        "drafting_unit": document.drafting_unit.name,
        "drafter": document.drafter.username,
        "signer": _name(document.signer),
        "versions": [
            {
                "number": version.number,
                "subject": version.subject,
                "created_by": version.created_by.username,
                "created_at": version.created_at,
                "note": version.note,
                "sha256": version.pdf.sha256,
            }
            for version in document.versions.all()
        ],
        "history": [
            {
                "action": row.action,
                "from_state": row.from_state,
                "to_state": row.to_state,
                "actor": _name(row.actor),
                "at": row.at,
                "comment": row.comment,
                "version": row.version.number if row.version else None,
            }
            for row in document.transitions.all()
        ],
        "recipients": [
            {
                "name": recipient.name,
                "unit_code": recipient.unit.code if recipient.unit else "",
                "organ_id": recipient.organ_id,
                "status": recipient.status,
                "statuses": [
                    {"code": status.code, "description": status.description, "at": status.at}
                    for status in recipient.statuses.all()
                ],
            }
            for recipient in document.recipients.all()
        ],
        "files": [_file_out(item) for item in document.files.all() if not item.superseded],
        "notices": [_notice_out(notice) for notice in document.notices.all()],
    }


def incoming_out(document: IncomingDocument) -> dict[str, Any]:
    return {
        "id": document.pk,
        "state": document.state,
        "state_label": str(IncomingState(document.state).label),
        "source": document.source,
        "organisation": document.organisation.name,
        "incoming_number": document.incoming_number,
        "year": document.year,
        "sender_name": document.sender_name,
        "sender_organ_id": document.sender_organ_id,
        "reference": document.reference,
        "issued_on": document.issued_on,
        "subject": document.subject,
        "urgency": document.urgency,
        "confidentiality": document.confidentiality,
        "arrived_at": document.arrived_at,
        "problems": document.problems or [],
        "duplicate_of": document.duplicate_of_id,
        "lead_unit": document.lead_unit.code if document.lead_unit else None,
        "supporting_units": [unit.code for unit in document.supporting_units.all()],
        "handler": _name(document.handler),
        "deadline": document.deadline,
        "instruction": document.instruction,
        "directed_in_software": document.directed_in_software if document.directed_at else None,
        "history": [
            {
                "action": row.action,
                "from_state": row.from_state,
                "to_state": row.to_state,
                "actor": _name(row.actor),
                "at": row.at,
                "comment": row.comment,
            }
            for row in document.transitions.all()
        ],
        "files": [_file_out(item) for item in document.files.all()],
        "notices": [_notice_out(notice) for notice in selectors.notices_for_incoming(document)],
    }


# --- Outgoing ---------------------------------------------------------------------------------------
@router.get("/documents/outgoing", response={200: list[OutgoingRowOut], **ERRORS}, summary="Văn bản đi theo danh sách")
def outgoing_list(request: HttpRequest, box: str = "all", q: str = "", page: int = 1) -> list[dict[str, Any]]:
    rows = selectors.outgoing_page(_actor(request), box=box, q=q, page=page)
    return [
        {
            "id": row.pk,
            "state": row.state,
            "doc_type": row.doc_type,
            "subject": row.subject,
            "reference": row.reference,
            "organisation": row.organisation.name,
            "drafter": row.drafter.username,
        }
        for row in rows
    ]


@router.post(
    "/documents/outgoing",
    response={201: OutgoingOut, **ERRORS},
    summary="Tạo dự thảo văn bản đi (tiêu đề Idempotency-Key: gửi lại không tạo bản thứ hai)",
)
def outgoing_create(request: HttpRequest, payload: DraftCreateIn) -> Status:
    actor = _actor(request)
    unit = None
    if payload.drafting_unit:
        unit = OrgUnit.objects.filter(code=payload.drafting_unit, active_to__isnull=True).first()
        if unit is None:
            raise InvalidInput(_("Không tìm thấy đơn vị soạn thảo."), details={"field": "drafting_unit"})
    replaces = None
    if payload.replaces is not None:
        replaces = selectors.outgoing_get(actor=actor, pk=payload.replaces)
    document = services.outgoing_create(
        actor=actor,
        data=_draft(payload),
        drafting_unit=unit,
        appendices=[_decoded(item) for item in payload.appendices],
        replaces=replaces,
        idempotency_key=request.headers.get("Idempotency-Key", ""),
    )
    return Status(201, outgoing_out(selectors.outgoing_get(actor=actor, pk=document.pk)))


@router.get(
    "/documents/outgoing/{pk}",
    response={200: OutgoingOut, **ERRORS},
    url_name="document_outgoing",
    summary="Một văn bản đi",
)
def outgoing_detail(request: HttpRequest, pk: int) -> dict[str, Any]:
    return outgoing_out(selectors.outgoing_get(actor=_actor(request), pk=pk))


@router.put("/documents/outgoing/{pk}", response={200: OutgoingOut, **ERRORS}, summary="Lưu phiên bản mới của dự thảo")
def outgoing_edit(request: HttpRequest, pk: int, payload: DraftEditIn) -> dict[str, Any]:
    actor = _actor(request)
    services.outgoing_edit(
        actor=actor,
        document=selectors.outgoing_get(actor=actor, pk=pk),
        data=_draft(payload),
        appendices_add=[_decoded(item) for item in payload.appendices_add],
        appendices_remove=payload.appendices_remove,
        note=payload.note,
    )
    return outgoing_out(selectors.outgoing_get(actor=actor, pk=pk))


@router.post(
    "/documents/outgoing/{pk}/actions/{action}",
    response={200: OutgoingOut, **ERRORS},
    summary="Thao tác: submit, approve, send-back, sign, number, seal, issue, file, recall, correct",
)
def outgoing_action(request: HttpRequest, pk: int, action: str, payload: ActionIn) -> dict[str, Any]:
    actor = _actor(request)
    services.outgoing_transition(
        actor=actor,
        document=selectors.outgoing_get(actor=actor, pk=pk),
        action=action,
        comment=payload.comment,
        reviewer=payload.reviewer,
        case_file=payload.case_file,
    )
    return outgoing_out(selectors.outgoing_get(actor=actor, pk=pk))


# --- Incoming ---------------------------------------------------------------------------------------
@router.get("/documents/incoming", response={200: list[IncomingRowOut], **ERRORS}, summary="Văn bản đến theo danh sách")
def incoming_list(request: HttpRequest, box: str = "all", q: str = "", page: int = 1) -> list[dict[str, Any]]:
    rows = selectors.incoming_page(_actor(request), box=box, q=q, page=page)
    return [
        {
            "id": row.pk,
            "state": row.state,
            "incoming_number": row.incoming_number,
            "sender_name": row.sender_name,
            "reference": row.reference,
            "subject": row.subject,
            "arrived_at": row.arrived_at,
        }
        for row in rows
    ]


@router.post(
    "/documents/incoming",
    response={201: IncomingOut, **ERRORS},
    summary="Vào sổ văn bản đến giấy (tiêu đề Idempotency-Key: gửi lại trả về đúng văn bản đã vào sổ)",
    description=(
        "Gửi lại cùng Idempotency-Key và cùng nội dung: 201 với văn bản đã vào sổ lần đầu, không vào sổ văn bản "
        "thứ hai, không lấy số đến thứ hai. Cùng khóa nhưng khác nội dung: 409 idempotency_key_reused. Không có "
        "khóa hoặc khóa khác: vào sổ thêm một văn bản, đánh dấu trùng nếu cùng số, ký hiệu và cơ quan ban hành."
    ),
)
def incoming_register_paper(request: HttpRequest, payload: PaperIn) -> Status:
    actor = _actor(request)
    body = OrgUnit.objects.filter(code=payload.body, active_to__isnull=True).first()
    if body is None:
        raise InvalidInput(_("Không tìm thấy cơ quan nhận."), details={"field": "body"}, code="unknown_body")
    document = services_incoming.incoming_register_paper(
        actor=actor,
        body=body,
        arrival=services_incoming.Arrival(
            sender_name=payload.sender_name,
            sender_organ_id=payload.sender_organ_id,
            subject=payload.subject,
            reference=payload.reference,
            issued_on=payload.issued_on,
            doc_type=payload.doc_type,
            urgency=payload.urgency,
            confidentiality=payload.confidentiality,
            signer_name=payload.signer_name,
        ),
        uploads=[_decoded(item) for item in payload.files],
        idempotency_key=request.headers.get("Idempotency-Key", ""),
    )
    return Status(201, incoming_out(selectors.incoming_get(actor=actor, pk=document.pk)))


@router.get(
    "/documents/incoming/{pk}",
    response={200: IncomingOut, **ERRORS},
    url_name="document_incoming",
    summary="Một văn bản đến",
)
def incoming_detail(request: HttpRequest, pk: int) -> dict[str, Any]:
    return incoming_out(selectors.incoming_get(actor=_actor(request), pk=pk))


@router.post(
    "/documents/incoming/{pk}/actions/{action}",
    response={200: IncomingOut, **ERRORS},
    summary="Thao tác: accept, refuse, submit, direct, complete",
)
def incoming_action(request: HttpRequest, pk: int, action: str, payload: ActionIn) -> dict[str, Any]:
    actor = _actor(request)
    services_incoming.incoming_transition(
        actor=actor,
        document=selectors.incoming_get(actor=actor, pk=pk),
        action=action,
        comment=payload.comment,
        lead_unit=payload.lead_unit,
        supporting_units=payload.supporting_units,
        handler=payload.handler,
        deadline=payload.deadline,
        instruction=payload.instruction,
        on_behalf_of=payload.on_behalf_of,
    )
    return incoming_out(selectors.incoming_get(actor=actor, pk=pk))


# --- Case files ---------------------------------------------------------------------------------------
def _case_file_out(case_file: CaseFile, *, document_count: int) -> dict[str, Any]:
    return {
        "id": case_file.pk,
        "body": case_file.body.code,
        "body_name": case_file.body.name,
        "year": case_file.year,
        "code": case_file.code,
        "title": case_file.title,
        "retention": case_file.retention,
        "unit": case_file.unit.code if case_file.unit else None,
        "keeper": _name(case_file.keeper),
        "closed_at": case_file.closed_at,
        "created_at": case_file.created_at,
        "document_count": document_count,
    }


def _case_file_item_out(item: CaseFileItem) -> dict[str, Any]:
    document: Any = item.outgoing or item.incoming
    url_name = "api:document_outgoing" if item.outgoing else "api:document_incoming"
    return {
        "direction": "out" if item.outgoing else "in",
        "document": document.pk,
        "reference": document.reference,
        "issued_on": document.issued_on,
        "subject": document.subject,
        "added_at": item.added_at,
        "added_by": _name(item.added_by),
        "url": reverse(url_name, args=[document.pk]),
    }


def case_file_detail_out(case_file: CaseFile) -> dict[str, Any]:
    items = list(case_file.items.all())
    return {
        **_case_file_out(case_file, document_count=len(items)),
        "items": [_case_file_item_out(item) for item in items],
    }


def _case_file_body(actor: User, code: str) -> OrgUnit:
    body = OrgUnit.objects.filter(code=code, active_to__isnull=True).first() if code else policies.home_body(actor)
    if body is None:
        raise InvalidInput(_("Không tìm thấy cơ quan."), details={"field": "body"}, code="unknown_body")
    return body


@router.get(
    "/documents/case-files",
    response={200: list[CaseFileOut], **ERRORS},
    summary="Danh mục hồ sơ của các cơ quan mình giữ (văn thư, lãnh đạo), theo năm",
)
def case_file_list(request: HttpRequest, year: int | None = None, body: str = "") -> list[dict[str, Any]]:
    actor = _actor(request)
    chosen = _case_file_body(actor, body) if body else None
    year = timezone.now().astimezone(VN_TZ).year if year is None else year
    rows = selectors.case_files_for(actor, year=year, body=chosen)
    return [_case_file_out(row, document_count=row.document_count) for row in rows]  # type: ignore[attr-defined]


@router.post(
    "/documents/case-files",
    response={201: CaseFileDetailOut, **ERRORS},
    summary="Lập hồ sơ trong danh mục (tiêu đề Idempotency-Key: gửi lại trả về đúng hồ sơ đã lập)",
    description=(
        "Gửi lại cùng Idempotency-Key và cùng nội dung: 201 với hồ sơ đã lập lần đầu, không lập hồ sơ thứ hai. "
        "Cùng khóa nhưng khác nội dung: 409 idempotency_key_reused. Số, ký hiệu đã có trong danh mục năm đó "
        "(không có khóa hoặc khóa khác): 409 case_file_exists."
    ),
)
def case_file_create(request: HttpRequest, payload: CaseFileIn) -> Status:
    actor = _actor(request)
    case_file = services.case_file_create(
        actor=actor,
        body=_case_file_body(actor, payload.body),
        year=payload.year,
        code=payload.code,
        title=payload.title,
        retention=payload.retention,
        unit=payload.unit or None,
        keeper=payload.keeper or None,
        idempotency_key=request.headers.get("Idempotency-Key", ""),
    )
    return Status(201, case_file_detail_out(selectors.case_file_get(actor=actor, pk=case_file.pk)))


@router.get(
    "/documents/case-files/{pk}", response={200: CaseFileDetailOut, **ERRORS}, summary="Một hồ sơ và các văn bản"
)
def case_file_detail(request: HttpRequest, pk: int) -> dict[str, Any]:
    return case_file_detail_out(selectors.case_file_get(actor=_actor(request), pk=pk))


@router.post(
    "/documents/case-files/{pk}/close",
    response={200: CaseFileDetailOut, **ERRORS},
    summary="Kết thúc hồ sơ: không thêm văn bản được nữa",
)
def case_file_close(request: HttpRequest, pk: int) -> dict[str, Any]:
    actor = _actor(request)
    services.case_file_close(actor=actor, case_file=selectors.case_file_get(actor=actor, pk=pk))
    return case_file_detail_out(selectors.case_file_get(actor=actor, pk=pk))


# --- Files, participation -----------------------------------------------------------------------------
@router.get(
    "/documents/files/{pk}", response={200: None, **ERRORS}, url_name="document_file", summary="Tải một tệp PDF"
)
def document_file(request: HttpRequest, pk: int) -> FileResponse:
    item = selectors.document_file_get(actor=_actor(request), pk=pk)
    response = files.response(str(item.file.name), filename=item.name, content_type="application/pdf")
    response["X-Content-SHA256"] = item.sha256
    return response


class PeriodIn(Schema):
    start: dt.date = Field(..., description="Từ ngày (giờ Việt Nam)")
    end: dt.date = Field(..., description="Đến hết ngày")


@router.get(
    "/documents/participation",
    response={200: list[ParticipationOut], **ERRORS},
    summary="Mức độ lãnh đạo chỉ đạo, duyệt, ký văn bản trên phần mềm",
)
def participation(request: HttpRequest, period: Query[PeriodIn]) -> list[dict[str, Any]]:
    if period.end < period.start:
        raise InvalidInput(_("Ngày kết thúc phải sau ngày bắt đầu."), details={"field": "end"}, code="invalid_period")
    start = dt.datetime.combine(period.start, dt.time.min, tzinfo=VN_TZ)
    end = dt.datetime.combine(period.end + dt.timedelta(days=1), dt.time.min, tzinfo=VN_TZ)
    return [
        {**row.__dict__, "directed_share": row.directed_share, "signed_share": row.signed_share}
        for row in selectors.participation(actor=_actor(request), start=start, end=end)
    ]
