"""The citizen's dossier pages: submit online (with drafts), "my dossiers", one dossier with its
public history, and tracking by code without logging in.

Submission. The form is built from the procedure version's e-form (sen.dossiers.forms_citizen). Each
rendering carries a fresh idempotency key in a hidden field; the service turns a second post of the
same rendering (a double click, a browser resend) into the same dossier, never a second one.

Drafts ("Lưu nháp") are DossierDraft rows, one per account and procedure (sen.dossiers.services
dossier_draft_save): the typed values unvalidated, and the files uploaded so far, stored like a
dossier's — so an applicant can leave and come back without choosing their files again (a browser
cannot put a file back into a file input). A page rendered from a draft carries `_draft=1`; its
"Nộp hồ sơ" submits the draft (dossier_submit_draft) with what was typed and chosen on the page, less
the files ticked "remove"; a retry of that rendering returns the same dossier after the draft is gone.

Public history. An applicant sees every action's label, the state it led to and its time; the
reasons staff give for refusing, stopping, asking for a supplement or a new date (the applicant is
told those on forms 02, 03, 04 anyway). Never staff names or notes. Tracking by code shows the same
without any reason: whoever holds a code and four digits sees only what happened and when.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import uuid
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import Prefetch, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from sen.core import request_context
from sen.core.exceptions import Conflict, InvalidInput, NotFound, SenError
from sen.core.models import OrgUnit
from sen.core.selectors import active_units
from sen.dossiers import selectors, services
from sen.dossiers.api import DEVICE_COOKIE
from sen.dossiers.choices import DossierAction, DossierState
from sen.dossiers.forms_citizen import FROM_DRAFT_FIELD, KEY_FIELD, UNIT_FIELD, DossierSubmitForm, TrackForm
from sen.dossiers.models import Dossier, DossierDraft, DossierFile, DossierTransition
from sen.dossiers.states import TRANSITIONS
from sen.identity import policies as identity
from sen.identity.models import User
from sen.procedures import selectors as procedure_selectors
from sen.procedures.choices import OnlineLevel
from sen.procedures.models import ProcedureVersion

PAGE_SIZE = 20
TRACK_LIMIT = 10  # failed look-ups ...
TRACK_WINDOW = 10 * 60  # ... per this many seconds, per IP and per dossier code
DEVICE_COOKIE_AGE = 2 * 365 * 24 * 3600
# Reasons the applicant is told anyway (forms 02, 03, 04): shown on their own dossier page.
PUBLIC_REASON_ACTIONS = {
    DossierAction.REFUSE,
    DossierAction.STOP,
    DossierAction.REQUEST_SUPPLEMENT,
    DossierAction.RESCHEDULE,
    DossierAction.REQUEST_PAYMENT,  # what the applicant must pay
    DossierAction.REQUEST_WITHDRAWAL,  # their own reason
    DossierAction.ACCEPT_WITHDRAWAL,
    DossierAction.REJECT_WITHDRAWAL,
}


# --- Shared pieces -------------------------------------------------------------------------------
@dataclass(frozen=True)
class HistoryRow:
    at: Any
    action: str
    state: str
    reason: str = ""


def public_history(transitions: Any, *, with_reasons: bool) -> list[HistoryRow]:
    """What happened to a dossier, as its applicant (or whoever tracks it) may see it."""
    rows = []
    for transition in transitions:
        reason = transition.reason if with_reasons and transition.action in PUBLIC_REASON_ACTIONS else ""
        rows.append(
            HistoryRow(
                at=transition.at,
                action=str(DossierAction(transition.action).label)
                if transition.action in DossierAction.values
                else transition.action,
                state=str(DossierState(transition.to_state).label),
                reason=reason,
            )
        )
    return rows


def dossier_dates(dossier: Dossier) -> list[tuple[str, Any]]:
    """The dates the applicant cares about, labelled, in order; missing ones left out."""
    rows: list[tuple[str, Any]] = [(_("Ngày nộp"), dossier.submitted_at)]
    if dossier.received_at:
        rows.append((_("Ngày tiếp nhận"), dossier.received_at))
    if dossier.due_at:
        rows.append((_("Ngày hẹn trả kết quả"), dossier.due_at))
    if dossier.effective_due_at and dossier.due_at and dossier.effective_due_at != dossier.due_at:
        rows.append((_("Ngày hẹn trả (đã cộng thời gian chờ bổ sung)"), dossier.effective_due_at))
    if dossier.rescheduled_due_at:
        rows.append((_("Ngày hẹn trả mới"), dossier.rescheduled_due_at))
    if dossier.processed_at:
        rows.append((_("Ngày xử lý xong"), dossier.processed_at))
    if dossier.returned_at:
        rows.append((_("Ngày trả kết quả"), dossier.returned_at))
    if dossier.ended_at:
        rows.append((_("Ngày kết thúc"), dossier.ended_at))
    return rows


def due_of(dossier: Dossier) -> Any:
    """The due date to show in a list: the rescheduled one, else the one moved by pauses, else the first."""
    return dossier.rescheduled_due_at or dossier.effective_due_at or dossier.due_at


def may_submit_online(user: Any) -> bool:
    """Online submission pages are for citizens' and businesses' own accounts.
    (To move to sen.dossiers.policies, whose owner decides; the service itself accepts any account.)"""
    return isinstance(user, User) and user.is_authenticated and user.kind in (User.Kind.CITIZEN, User.Kind.BUSINESS)


def receiving_units() -> QuerySet[OrgUnit]:
    """Units an applicant may send a dossier to: active units with a one-stop desk (someone holds the
    one-stop officer role there today). To move to a selector."""
    return (
        active_units()
        .filter(identity.valid_on(prefix="role_grants__"), role_grants__role__code=identity.ONE_STOP_OFFICER)
        .distinct()
        .order_by("kind__rank", "name")
    )


def _own_dossier(request: HttpRequest, code: str) -> Dossier:
    """The logged-in applicant's own dossier with its history and files; anyone else's is a 404
    (staff who may see it in their unit use their own pages)."""
    try:
        dossier = selectors.dossier_get(actor=request.user, code=code)
    except NotFound:
        raise Http404 from None
    if dossier.applicant_id != request.user.pk:
        raise Http404
    return dossier


# --- Submission ----------------------------------------------------------------------------------
def request_info(request: HttpRequest) -> services.RequestInfo:
    context = request_context.current()
    return services.RequestInfo(
        ip=context.ip or request.META.get("REMOTE_ADDR", ""),
        user_agent=context.user_agent or request.META.get("HTTP_USER_AGENT", "")[:400],
        device_cookie=request.COOKIES.get(DEVICE_COOKIE, ""),
    )


def _with_device_cookie(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """Give the browser a device cookie once (recorded with each submission: later checks read it)."""
    if not request.COOKIES.get(DEVICE_COOKIE):
        response.set_cookie(
            DEVICE_COOKIE,
            uuid.uuid4().hex,
            max_age=DEVICE_COOKIE_AGE,
            httponly=True,
            samesite="Lax",
            secure=request.is_secure(),
        )
    return response


def _submit_form(
    request: HttpRequest, version: ProcedureVersion, units: list[OrgUnit] | None, **kwargs: Any
) -> DossierSubmitForm:
    return DossierSubmitForm(
        eform=version.eform,
        components=version.components.all(),
        units=units,
        **kwargs,
    )


def _new_key() -> str:
    return uuid.uuid4().hex


def _draft_saved_message(draft: DossierDraft) -> str:
    count = len(draft.files.all())
    return _(
        "Đã lưu nháp cùng %(n)s tệp đính kèm. Bạn có thể quay lại trang này để bổ sung và nộp hồ sơ bất cứ lúc nào."
    ) % {"n": count}


@require_http_methods(["GET", "POST"])
@never_cache
def dossier_submit(request: HttpRequest, procedure_code: str) -> HttpResponse:
    try:
        procedure = procedure_selectors.procedure_get(procedure_code)
    except NotFound:
        raise Http404 from None
    version = procedure.current_version
    assert version is not None
    context: dict[str, Any] = {"procedure": procedure, "version": version}
    user = request.user
    if not isinstance(user, User) or not may_submit_online(user):
        context["unavailable"] = _(
            "Nộp hồ sơ trực tuyến dành cho tài khoản công dân và doanh nghiệp. Cán bộ tiếp nhận hồ sơ "
            "tại quầy dùng trang tiếp nhận của bộ phận một cửa."
        )
        return render(request, "dossiers/citizen/submit.html", context, status=403)
    if version.online_level == OnlineLevel.NONE:
        context["unavailable"] = _(
            "Thủ tục này chưa nhận hồ sơ trực tuyến. Vui lòng nộp trực tiếp tại bộ phận một cửa "
            "hoặc qua dịch vụ bưu chính."
        )
        return render(request, "dossiers/citizen/submit.html", context)

    steps = list(version.workflow_steps.all())
    units = None if steps and steps[0].unit_id else list(receiving_units())
    code = procedure.code
    draft = selectors.draft_for(actor=user, procedure_code=code)
    kept = list(draft.files.all()) if draft is not None else []

    if request.method == "POST":
        action = request.POST.get("_action", "submit")
        if action == "discard":
            if draft is not None:
                services.dossier_draft_discard(actor=user, procedure_code=code)
            messages.info(request, _("Đã xoá bản nháp và các tệp đã tải lên."))
            return redirect("dossiers:citizen_submit", procedure_code=code)
        if action == "submit" and request.POST.get(FROM_DRAFT_FIELD) == "1" and draft is None:
            gone = _draft_gone(request, code)
            if gone is not None:
                return gone
        form = _submit_form(
            request,
            version,
            units,
            data=request.POST,
            files=request.FILES,
            kept_files=kept,
            draft_mode=action == "draft",
        )
        if form.is_valid():
            response = _save_draft(request, form, code) if action == "draft" else _submit(request, form, code)
            if response is not None:
                return response
    else:
        initial = {KEY_FIELD: _new_key()}
        if draft is not None:
            initial.update({**draft.form_data, UNIT_FIELD: draft.unit_code})
        form = _submit_form(request, version, units, initial=initial, kept_files=kept)
    context.update(
        {
            "form": form,
            "draft": draft,
            "draft_outdated": draft is not None and draft.procedure_version_id != version.pk,
        }
    )
    return _with_device_cookie(request, render(request, "dossiers/citizen/submit.html", context))


def _draft_gone(request: HttpRequest, code: str) -> HttpResponse | None:
    """A page rendered from a draft that no longer exists: if this very rendering submitted it (a
    double click, a resend), its dossier; else (discarded meanwhile) None, and the form is shown again."""
    user = request.user
    assert isinstance(user, User)
    try:
        dossier = services.dossier_submit_draft(
            actor=user, procedure_code=code, idempotency_key=request.POST.get(KEY_FIELD, "")
        )
    except SenError:
        messages.error(
            request, _("Bản nháp của biểu mẫu này không còn nữa: vui lòng kiểm tra lại thông tin và các tệp.")
        )
        return None
    return redirect("dossiers:citizen_detail", code=dossier.code)


def _save_draft(request: HttpRequest, form: DossierSubmitForm, code: str) -> HttpResponse | None:
    """ "Lưu nháp": the typed values, the chosen files and the removals go into the draft."""
    try:
        draft = services.dossier_draft_save(
            actor=request.user,  # type: ignore[arg-type]
            procedure_code=code,
            form_data=form.draft_data(),
            unit_code=form.unit_code() if UNIT_FIELD in form.fields else "",
            files=form.incoming_files(),
            remove_file_ids=form.removed_file_ids(),
        )
    except (InvalidInput, NotFound) as exc:
        if isinstance(exc, InvalidInput):
            form.add_service_error(exc)
        else:
            form.add_error(None, exc.message)
        return None
    messages.success(request, _draft_saved_message(draft))
    return redirect("dossiers:citizen_submit", procedure_code=code)


def _submit(request: HttpRequest, form: DossierSubmitForm, code: str) -> HttpResponse | None:
    """ "Nộp hồ sơ": from the draft when the page was rendered from one, else straight."""
    user = request.user
    assert isinstance(user, User)
    try:
        if request.POST.get(FROM_DRAFT_FIELD) == "1":
            dossier = services.dossier_submit_draft(
                actor=user,
                procedure_code=code,
                idempotency_key=form.cleaned_data[KEY_FIELD],
                context=request_info(request),
                form_data=form.eform_data(),
                unit_code=form.unit_code() or None,
                files=form.incoming_files(),
                remove_file_ids=form.removed_file_ids(),
            )
        else:
            dossier = services.dossier_submit_online(
                actor=user,
                procedure_code=code,
                form_data=form.eform_data(),
                files=form.incoming_files(),
                context=request_info(request),
                idempotency_key=form.cleaned_data[KEY_FIELD],
                unit_code=form.unit_code(),
            )
    except InvalidInput as exc:
        form.add_service_error(exc)
        return None
    except NotFound as exc:
        if exc.code not in ("draft_not_found", "draft_file_not_found"):
            raise
        form.add_error(None, exc.message)
        return None
    except Conflict as exc:
        if exc.code != "idempotency_key_reused":
            raise
        # This rendering was already used to submit something else: a fresh key for a new one.
        data = request.POST.copy()
        data[KEY_FIELD] = _new_key()
        form.data = data
        form.add_error(
            None,
            _(
                "Biểu mẫu này đã được dùng để nộp một hồ sơ khác. Nếu bạn muốn nộp thêm một hồ sơ mới, "
                "vui lòng kiểm tra lại thông tin, chọn lại tệp và bấm “Nộp hồ sơ”."
            ),
        )
        return None
    messages.success(
        request,
        _("Đã nộp hồ sơ thành công. Mã hồ sơ của bạn là %(code)s — hãy ghi lại để tra cứu.") % {"code": dossier.code},
    )
    return redirect("dossiers:citizen_detail", code=dossier.code)


# --- The applicant's own dossiers ----------------------------------------------------------------
@require_http_methods(["GET"])
def dossier_list(request: HttpRequest) -> HttpResponse:
    state = request.GET.get("state", "")
    state = state if state in DossierState.values else ""
    dossiers = selectors.dossiers_for(actor=request.user, state=state).filter(applicant_id=request.user.pk)
    page = Paginator(dossiers, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(dossier, due_of(dossier)) for dossier in page.object_list]
    return render(
        request,
        "dossiers/citizen/list.html",
        {"page": page, "rows": rows, "state": state, "states": DossierState.choices},
    )


@require_http_methods(["GET"])
def dossier_detail(request: HttpRequest, code: str) -> HttpResponse:
    dossier = _own_dossier(request, code)
    version = dossier.procedure_version
    components = {component.pk: component.name for component in version.components.all()}
    files = [(f, components.get(f.component_id or 0, "")) for f in dossier.files.all()]
    result_url = None
    if dossier.state == DossierState.RETURNED:
        try:  # the e-result and rating page (sen.dossiers.urls_results)
            result_url = reverse("dossiers:result_detail", kwargs={"code": dossier.code})
        except NoReverseMatch:
            result_url = None
    waiting = dossier.state == DossierState.WAITING_FINANCIAL
    open_obligation = next((o for o in dossier.financial_obligations.all() if o.resumed_at is None), None)
    return render(
        request,
        "dossiers/citizen/detail.html",
        {
            "dossier": dossier,
            "version": version,
            "procedure_code": version.procedure.code,
            "state_label": dossier.get_state_display(),
            "dates": dossier_dates(dossier),
            "history": public_history(dossier.transitions.all(), with_reasons=True),
            "files": files,
            "result_url": result_url,
            "open_obligation": open_obligation if waiting else None,
            "can_withdraw": dossier.state in TRANSITIONS[DossierAction.REQUEST_WITHDRAWAL].sources,
        },
    )


@require_http_methods(["POST"])
def dossier_withdraw(request: HttpRequest, code: str) -> HttpResponse:
    """The applicant asks to withdraw their dossier (state 7); the agency accepts or refuses it."""
    dossier = _own_dossier(request, code)
    user = request.user
    assert isinstance(user, User)
    try:
        services.dossier_transition(
            actor=user, dossier=dossier, action=DossierAction.REQUEST_WITHDRAWAL, reason=request.POST.get("reason", "")
        )
    except NotFound:
        raise Http404 from None
    except SenError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Đã gửi yêu cầu rút hồ sơ. Cơ quan tiếp nhận sẽ xem xét và trả lời."))
    return redirect("dossiers:citizen_detail", code=code)


@require_http_methods(["GET"])
def dossier_file(request: HttpRequest, code: str, file_id: str) -> FileResponse:
    dossier = _own_dossier(request, code)
    found: DossierFile | None = next((f for f in dossier.files.all() if str(f.pk) == file_id), None)
    if found is None:
        raise Http404
    response = FileResponse(found.file.open("rb"), as_attachment=True, filename=found.name)
    response["Content-Type"] = found.content_type
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- Tracking without logging in -----------------------------------------------------------------
def _throttle_keys(request: HttpRequest, code: str) -> list[str]:
    ip = request_context.current().ip or request.META.get("REMOTE_ADDR", "")
    keys = [f"sen:dossier-track:ip:{hashlib.sha256(ip.encode()).hexdigest()[:32]}"]
    if code:
        keys.append(f"sen:dossier-track:code:{hashlib.sha256(code.encode()).hexdigest()[:32]}")
    return keys


def _throttled(keys: list[str]) -> bool:
    return any((cache.get(key) or 0) >= TRACK_LIMIT for key in keys)


def _count_failure(keys: list[str]) -> None:
    for key in keys:
        cache.add(key, 0, TRACK_WINDOW)
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, TRACK_WINDOW)


def _phone_ends_with(phone: str, last4: str) -> bool:
    digits = re.sub(r"\D", "", phone or "")
    return len(digits) >= 4 and hmac.compare_digest(digits[-4:], last4)


def dossier_by_code_and_phone(code: str, last4: str) -> Dossier | None:
    """The dossier with this code whose applicant's phone ends with `last4`, else None — the same
    None for a wrong code and a wrong phone. (Public, unscoped: to move to sen.dossiers.selectors.)"""
    dossier = (
        Dossier.objects.filter(code=code)
        .select_related("applicant", "unit", "procedure_version__procedure")
        .prefetch_related(Prefetch("transitions", queryset=DossierTransition.objects.order_by("at", "id")))
        .first()
    )
    if dossier is None or not _phone_ends_with(dossier.applicant.phone, last4):
        return None
    return dossier


@login_not_required
@require_http_methods(["GET", "POST"])
@never_cache
def dossier_track(request: HttpRequest) -> HttpResponse:
    form = TrackForm(request.POST or None)
    context: dict[str, Any] = {"form": form}
    status = 200
    if request.method == "POST" and form.is_valid():
        code, last4 = form.cleaned_data["code"], form.cleaned_data["phone_last4"]
        keys = _throttle_keys(request, code)
        if _throttled(keys):
            form.add_error(
                None,
                _("Bạn đã tra cứu sai quá nhiều lần. Vui lòng thử lại sau %(minutes)s phút.")
                % {"minutes": TRACK_WINDOW // 60},
            )
            status = 429
        else:
            dossier = dossier_by_code_and_phone(code, last4)
            if dossier is None:
                _count_failure(keys)
                form.add_error(
                    None,
                    _(
                        "Không tìm thấy hồ sơ với mã và số điện thoại này. Vui lòng kiểm tra lại mã hồ sơ "
                        "trên giấy tiếp nhận và 4 số cuối điện thoại của người nộp."
                    ),
                )
            else:
                context.update(
                    {
                        "dossier": dossier,
                        "state_label": dossier.get_state_display(),
                        "dates": dossier_dates(dossier),
                        "history": public_history(dossier.transitions.all(), with_reasons=False),
                        "is_owner": request.user.is_authenticated and request.user.pk == dossier.applicant_id,
                        "detail_url": reverse("dossiers:citizen_detail", kwargs={"code": dossier.code}),
                    }
                )
    return render(request, "dossiers/citizen/track.html", context, status=status)
