"""Dossiers API: online submission (multipart, with an Idempotency-Key), reading one dossier, the
staff actions, the signed e-result and the applicant's rating. Handlers parse, call one service or
selector, and render."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.http import FileResponse, HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field

from sen.core import request_context
from sen.core.exceptions import InvalidInput, NotAuthenticated
from sen.dossiers import policies, selectors, services
from sen.dossiers.choices import DossierAction, DossierState, RatingLevel
from sen.dossiers.deadlines import dossier_timeliness
from sen.dossiers.models import Dossier, DossierDraft, DossierRating
from sen.identity.models import User
from sen.procedures.choices import Channel

router = Router(tags=["dossiers"])
DEVICE_COOKIE = "sen_device"


class ActionIn(Schema):
    note: str = Field("", max_length=4000)
    reason: str = Field("", max_length=4000)
    assignee: str = Field("", max_length=150, description="Tên đăng nhập người nhận bước tiếp theo")
    new_due_at: dt.datetime | None = Field(None, description="Ngày hẹn trả mới (hẹn lại, mẫu 04)")
    amount_vnd: int | None = Field(None, ge=0, description="request-payment: số tiền phải nộp (đồng), nếu đã biết")


class TransitionOut(Schema):
    action: str
    from_state: str
    to_state: str
    actor: str | None
    at: dt.datetime
    note: str
    reason: str


class HandoverOut(Schema):
    step: int
    step_name: str
    giver: str | None
    receiver: str
    at: dt.datetime
    step_due_at: dt.datetime | None


class FileOut(Schema):
    name: str
    content_type: str
    size: int
    sha256: str


class SupplementOut(Schema):
    requested_at: dt.datetime
    reason: str
    resumed_at: dt.datetime | None
    paused_minutes: int
    late_by_rule: bool


class ObligationOut(Schema):
    requested_at: dt.datetime
    description: str
    amount_vnd: int | None
    resumed_at: dt.datetime | None
    confirmed: bool
    paused_minutes: int


class ResultOut(Schema):
    name: str
    sha256: str
    size: int
    signed_at: dt.datetime
    signer_unit: str
    download_url: str


class RatingIn(Schema):
    level: RatingLevel
    comment: str = Field("", max_length=1000)


class RatingOut(Schema):
    code: str
    level: str
    level_label: str
    comment: str
    rated_at: dt.datetime


class DossierOut(Schema):
    code: str
    state: str
    state_label: str
    channel: str
    procedure_code: str
    procedure_version: int
    unit_code: str
    unit_name: str
    postal_tracking_no: str
    submitted_at: dt.datetime
    received_at: dt.datetime | None
    due_at: dt.datetime | None
    effective_due_at: dt.datetime | None
    rescheduled_due_at: dt.datetime | None
    paused_minutes: int
    paused_since: dt.datetime | None = Field(description="Thời điểm tạm dừng tính thời hạn (null: đang tính)")
    late_by_rule: bool
    timeliness: str
    current_step: str | None
    assignee: str | None
    form_data: dict[str, Any]
    files: list[FileOut]
    history: list[TransitionOut]
    handovers: list[HandoverOut]
    supplements: list[SupplementOut]
    financial_obligations: list[ObligationOut]
    result: ResultOut | None = None
    rating: RatingOut | None = None


class ErrorOut(Schema):
    code: str
    message: str
    details: Any = None


class DraftIn(Schema):
    form_data: dict[str, Any] = Field(default_factory=dict, description="Các giá trị đã nhập (chưa cần đầy đủ)")
    unit_code: str = Field("", max_length=64)


class DraftFileOut(Schema):
    id: int
    component_id: int | None
    name: str
    content_type: str
    size: int
    sha256: str


class DraftOut(Schema):
    procedure_code: str
    procedure_version: int
    unit_code: str
    form_data: dict[str, Any]
    files: list[DraftFileOut]
    created_at: dt.datetime
    updated_at: dt.datetime


ERRORS: dict[int, type[Schema]] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


def _actor(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User):
        raise NotAuthenticated()
    return user


def _request_info(request: HttpRequest) -> services.RequestInfo:
    context = request_context.current()
    return services.RequestInfo(
        ip=context.ip, user_agent=context.user_agent, device_cookie=request.COOKIES.get(DEVICE_COOKIE, "")
    )


def _username(user: Any) -> str | None:
    return user.get_username() if user is not None else None


def rating_out(rating: DossierRating, code: str) -> dict[str, Any]:
    return {
        "code": code,
        "level": rating.level,
        "level_label": str(RatingLevel(rating.level).label),
        "comment": rating.comment,
        "rated_at": rating.rated_at,
    }


def _result_out(dossier: Dossier, actor: Any) -> dict[str, Any] | None:
    result = getattr(dossier, "result", None)
    if result is None or not policies.can_download_result(actor, dossier):
        return None
    return {
        "name": result.name,
        "sha256": result.sha256,
        "size": result.size,
        "signed_at": result.signed_at,
        "signer_unit": dossier.unit.name if result.signer_unit_id == dossier.unit_id else str(result.signer_unit),
        "download_url": reverse("api:dossier_result_pdf", kwargs={"code": dossier.code}),
    }


def dossier_out(dossier: Dossier, actor: Any = None) -> dict[str, Any]:
    """The dossier as the API shows it; `dossier` comes from selectors.dossier_get (prefetched)."""
    return {
        "code": dossier.code,
        "state": dossier.state,
        "state_label": str(DossierState(dossier.state).label),
        "channel": dossier.channel,
        "procedure_code": dossier.procedure_version.procedure.code,
        "procedure_version": dossier.procedure_version.number,
        "unit_code": dossier.unit.code,
        "unit_name": dossier.unit.name,
        "postal_tracking_no": dossier.postal_tracking_no,
        "submitted_at": dossier.submitted_at,
        "received_at": dossier.received_at,
        "due_at": dossier.due_at,
        "effective_due_at": dossier.effective_due_at,
        "rescheduled_due_at": dossier.rescheduled_due_at,
        "paused_minutes": dossier.paused_minutes,
        "paused_since": dossier.paused_since,
        "late_by_rule": dossier.late_by_rule,
        "timeliness": dossier_timeliness(dossier),
        "current_step": dossier.current_step.name if dossier.current_step else None,
        "assignee": _username(dossier.assignee),
        "form_data": dossier.form_data,
        "files": [
            {"name": f.name, "content_type": f.content_type, "size": f.size, "sha256": f.sha256}
            for f in dossier.files.all()
        ],
        "history": [
            {
                "action": t.action,
                "from_state": t.from_state,
                "to_state": t.to_state,
                "actor": _username(t.actor),
                "at": t.at,
                "note": t.note,
                "reason": t.reason,
            }
            for t in dossier.transitions.all()
        ],
        "handovers": [
            {
                "step": h.step.order,
                "step_name": h.step.name,
                "giver": _username(h.giver),
                "receiver": h.receiver.get_username(),
                "at": h.at,
                "step_due_at": h.step_due_at,
            }
            for h in dossier.handovers.all()
        ],
        "supplements": [
            {
                "requested_at": s.requested_at,
                "reason": s.reason,
                "resumed_at": s.resumed_at,
                "paused_minutes": s.paused_minutes,
                "late_by_rule": s.late_by_rule,
            }
            for s in dossier.supplement_requests.all()
        ],
        "financial_obligations": [
            {
                "requested_at": o.requested_at,
                "description": o.description,
                "amount_vnd": o.amount_vnd,
                "resumed_at": o.resumed_at,
                "confirmed": o.confirmed_by_id is not None,
                "paused_minutes": o.paused_minutes,
            }
            for o in dossier.financial_obligations.all()
        ],
        "result": _result_out(dossier, actor),
        "rating": rating_out(rating, dossier.code) if (rating := getattr(dossier, "rating", None)) else None,
    }


def _form_data(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text or "{}")
    except ValueError:
        raise InvalidInput(_("form_data phải là một đối tượng JSON."), details={"field": "form_data"}) from None
    if not isinstance(value, dict):
        raise InvalidInput(_("form_data phải là một đối tượng JSON."), details={"field": "form_data"})
    return value


def _incoming(upload: UploadedFile, component_id: int | None = None) -> services.IncomingFile:
    name = upload.name or ""
    services.file_size_check(name, upload.size or 0)  # before reading it into memory
    return services.IncomingFile(name=name, content=upload.read(), component_id=component_id)


def _component_ids(text: str, count: int) -> list[int | None]:
    """`file_components`: a JSON list giving, for each file in order, the id of the component
    (thành phần hồ sơ) it is for (GET /api/v1/procedures/{code} lists them), or null."""
    if not (text or "").strip():
        return [None] * count
    try:
        value = json.loads(text)
    except ValueError:
        value = None
    valid = isinstance(value, list) and all(
        v is None or (isinstance(v, int) and not isinstance(v, bool)) for v in value
    )
    if not valid or len(value) != count:
        raise InvalidInput(
            _("file_components phải là danh sách JSON, mỗi tệp một mã thành phần hồ sơ (hoặc null), theo thứ tự tệp."),
            details={"field": "file_components", "files": count},
        )
    return list(value)


def incoming_files(files: list[UploadedFile] | None, file_components: str) -> list[services.IncomingFile]:
    uploads = files or []
    return [
        _incoming(upload, component_id)
        for upload, component_id in zip(uploads, _component_ids(file_components, len(uploads)), strict=True)
    ]


class DossierIn(Schema):
    """The multipart fields of POST /dossiers. Online (the default channel): for the logged-in account.
    Counter and postal: a one-stop officer receives a paper dossier for the applicant named by CCCD."""

    procedure_code: str = Field(max_length=32)
    form_data: str = Field("{}", description="Biểu mẫu điện tử: một đối tượng JSON")
    unit_code: str = Field("", max_length=64, description="Cơ quan tiếp nhận")
    file_components: str = Field("", description="Danh sách JSON mã thành phần hồ sơ của từng tệp, theo thứ tự")
    channel: str = Field("online", description="online | counter | postal")
    applicant_national_id: str = Field("", max_length=20, description="counter/postal: số CCCD người nộp")
    applicant_full_name: str = Field("", max_length=255)
    applicant_phone: str = Field("", max_length=20)
    applicant_address: str = Field("", max_length=500)
    postal_tracking_no: str = Field("", max_length=64, description="postal: số hiệu bưu gửi (bắt buộc)")
    note: str = Field("", max_length=4000)


@router.post(
    "/dossiers",
    response={201: DossierOut, **ERRORS},
    summary="Nộp hồ sơ (multipart; cần tiêu đề Idempotency-Key): trực tuyến, hoặc cán bộ một cửa tiếp nhận "
    "trực tiếp / qua bưu chính (channel=counter | postal)",
)
def dossier_submit(
    request: HttpRequest, payload: Form[DossierIn], files: File[list[UploadedFile] | None] = None
) -> Status:
    common: dict[str, Any] = {
        "actor": _actor(request),
        "procedure_code": payload.procedure_code,
        "form_data": _form_data(payload.form_data),
        "files": incoming_files(files, payload.file_components),
        "context": _request_info(request),
        "idempotency_key": request.headers.get("Idempotency-Key", ""),
    }
    if payload.channel == Channel.ONLINE:
        dossier = services.dossier_submit_online(unit_code=payload.unit_code, **common)
    else:
        dossier = services.dossier_receive_paper(
            channel=payload.channel,
            applicant=services.ApplicantDetails(
                national_id=payload.applicant_national_id,
                full_name=payload.applicant_full_name,
                phone=payload.applicant_phone,
                address=payload.applicant_address,
            ),
            unit_code=payload.unit_code,
            postal_tracking_no=payload.postal_tracking_no,
            note=payload.note,
            **common,
        )
    return Status(201, dossier_out(selectors.dossier_get(actor=request.user, code=dossier.code), request.user))


@router.get("/dossiers/{code}", response={200: DossierOut, **ERRORS}, summary="Một hồ sơ: trạng thái, hạn, lịch sử")
def dossier_detail(request: HttpRequest, code: str) -> dict[str, Any]:
    return dossier_out(selectors.dossier_get(actor=request.user, code=code), request.user)


@router.post(
    "/dossiers/{code}/actions/{action}",
    response={200: DossierOut, **ERRORS},
    summary="Thao tác xử lý hồ sơ: " + ", ".join(DossierAction.values[1:]),
)
def dossier_action(request: HttpRequest, code: str, action: str, payload: ActionIn) -> dict[str, Any]:
    dossier = selectors.dossier_get(actor=request.user, code=code)
    services.dossier_transition(
        actor=_actor(request),
        dossier=dossier,
        action=action,
        note=payload.note,
        reason=payload.reason,
        assignee=payload.assignee,
        new_due_at=payload.new_due_at,
        amount_vnd=payload.amount_vnd,
    )
    return dossier_out(selectors.dossier_get(actor=request.user, code=code), request.user)


@router.get(
    "/dossiers/{code}/result.pdf",
    response={200: None, **ERRORS},
    url_name="dossier_result_pdf",
    summary="Tải kết quả điện tử (PDF có chữ ký số của cơ quan)",
)
def dossier_result_pdf(request: HttpRequest, code: str) -> FileResponse:
    """The applicant once the result is returned (10); staff who see the dossier from processed (9)."""
    result = selectors.dossier_result_for_download(actor=_actor(request), code=code)
    response = FileResponse(
        result.file.open("rb"), content_type="application/pdf", as_attachment=True, filename=f"ket-qua-{code}.pdf"
    )
    response["Cache-Control"] = "private, no-store"
    return response


@router.post(
    "/dossiers/{code}/rating",
    response={201: RatingOut, **ERRORS},
    summary="Người nộp đánh giá mức độ hài lòng (một lần, sau khi trả kết quả)",
)
def dossier_rating(request: HttpRequest, code: str, payload: RatingIn) -> Status:
    dossier = selectors.dossier_get(actor=request.user, code=code)
    rating = services.dossier_rate(
        actor=_actor(request), dossier=dossier, level=payload.level.value, comment=payload.comment
    )
    return Status(201, rating_out(rating, dossier.code))


# --- Drafts (one per account and procedure; only their owner sees them) -----------------------------
def draft_out(draft: DossierDraft) -> dict[str, Any]:
    return {
        "procedure_code": draft.procedure.code,
        "procedure_version": draft.procedure_version.number,
        "unit_code": draft.unit_code,
        "form_data": draft.form_data,
        "files": [
            {
                "id": f.pk,
                "component_id": f.component_id,
                "name": f.name,
                "content_type": f.content_type,
                "size": f.size,
                "sha256": f.sha256,
            }
            for f in draft.files.all()
        ],
        "created_at": draft.created_at,
        "updated_at": draft.updated_at,
    }


def _draft_response(request: HttpRequest, procedure_code: str) -> dict[str, Any]:
    return draft_out(selectors.draft_get(actor=request.user, procedure_code=procedure_code))


@router.get("/dossier-drafts", response={200: list[DraftOut], **ERRORS}, summary="Các bản nháp hồ sơ của tôi")
def draft_list(request: HttpRequest) -> list[dict[str, Any]]:
    return [draft_out(draft) for draft in selectors.drafts_of(actor=_actor(request))]


@router.get("/dossier-drafts/{procedure_code}", response={200: DraftOut, **ERRORS}, summary="Bản nháp hồ sơ của tôi")
def draft_detail(request: HttpRequest, procedure_code: str) -> dict[str, Any]:
    return _draft_response(request, procedure_code)


@router.put(
    "/dossier-drafts/{procedure_code}",
    response={200: DraftOut, **ERRORS},
    summary="Lưu bản nháp (tạo mới nếu chưa có): giá trị đã nhập và cơ quan tiếp nhận; tệp giữ nguyên",
)
def draft_put(request: HttpRequest, procedure_code: str, payload: DraftIn) -> dict[str, Any]:
    services.dossier_draft_save(
        actor=_actor(request), procedure_code=procedure_code, form_data=payload.form_data, unit_code=payload.unit_code
    )
    return _draft_response(request, procedure_code)


@router.delete("/dossier-drafts/{procedure_code}", response={204: None, **ERRORS}, summary="Xoá bản nháp")
def draft_delete(request: HttpRequest, procedure_code: str) -> Status:
    services.dossier_draft_discard(actor=_actor(request), procedure_code=procedure_code)
    return Status(204, None)


@router.post(
    "/dossier-drafts/{procedure_code}/files",
    response={201: DraftOut, **ERRORS},
    summary="Tải tệp lên bản nháp (multipart: files, file_components)",
)
def draft_files_add(
    request: HttpRequest,
    procedure_code: str,
    file_components: Form[str] = "",
    files: File[list[UploadedFile] | None] = None,
) -> Status:
    services.dossier_draft_save(
        actor=_actor(request), procedure_code=procedure_code, files=incoming_files(files, file_components)
    )
    return Status(201, _draft_response(request, procedure_code))


@router.delete(
    "/dossier-drafts/{procedure_code}/files/{file_id}",
    response={200: DraftOut, **ERRORS},
    summary="Bỏ một tệp khỏi bản nháp",
)
def draft_file_delete(request: HttpRequest, procedure_code: str, file_id: int) -> dict[str, Any]:
    services.dossier_draft_save(actor=_actor(request), procedure_code=procedure_code, remove_file_ids=[file_id])
    return _draft_response(request, procedure_code)


@router.post(
    "/dossier-drafts/{procedure_code}/submit",
    response={201: DossierOut, **ERRORS},
    summary="Nộp hồ sơ từ bản nháp (cần tiêu đề Idempotency-Key; bản nháp được xoá khi nộp thành công)",
)
def draft_submit(request: HttpRequest, procedure_code: str) -> Status:
    dossier = services.dossier_submit_draft(
        actor=_actor(request),
        procedure_code=procedure_code,
        idempotency_key=request.headers.get("Idempotency-Key", ""),
        context=_request_info(request),
    )
    return Status(201, dossier_out(selectors.dossier_get(actor=request.user, code=dossier.code), request.user))
