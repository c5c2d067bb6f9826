"""Staff pages for one-stop dossiers: the work queue and a dossier's page with its actions.

Who sees what. Only staff holding a one-stop role (one-stop officer, specialist, leader) on some unit
use these pages; anyone else gets 404. The dossiers shown are `policies.scope(actor)` narrowed to
the units of those roles (`policies.staff_units`), so a staff member's own applications elsewhere do
not show up in their work, and another unit's dossier answers 404 like a missing one.

Queue tabs.
- "mine": the dossier's current hand-over receiver (`Dossier.assignee`, set by every hand-over) is
  the user, and the dossier is not closed (refused 3, stopped 8, returned 10; processed 9 stays: its
  result still has to be returned).
- "receive": submitted (1) at a unit where the user may receive — the units `identity.units_where`
  gives for the one-stop officer role, the same rule `policies.can_receive_at` applies to one unit.
- "today" / "late": the clock runs (2, 4, 7, and no pause open: not while waiting for a supplement
  or for the financial obligation, nor once ended) and the effective due date (due date moved by
  the pauses) falls on today's Vietnam date / is before now.
- "all": everything in the user's units.

Fixed cost per page, bounded whatever the unit's size. The rows come with select_related. Each tab
is counted by one short query that stops at 1,000 dossiers (sen.core.counts: the tab shows "999+"):
one exact aggregate over the unit read all of its dossiers, 0.35 s for 400,000 (bench/dossiers). The
"today" and "late" tabs read the partial index on the dossiers whose clock runs (Dossier.Meta), not
every dossier ever due. Pages are not counted either (`_queue_page`): a page reads one row more than
it shows to know whether a next one exists, and says "page 3 of 12" only while the tab's count is exact.
So a page costs the same number of queries for 3 rows or 3,000, and none of them reads the whole unit.
"""

from __future__ import annotations

import datetime as dt
import math
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sen.core import counts as tab_counts
from sen.core.calendar import VN_TZ
from sen.core.exceptions import Conflict, InvalidInput, NotFound, PermissionDenied, SenError
from sen.core.models import OrgUnit
from sen.dossiers import policies, services
from sen.dossiers.choices import DossierAction, DossierState, Timeliness
from sen.dossiers.deadlines import dossier_timeliness
from sen.dossiers.forms_citizen import KEY_FIELD
from sen.dossiers.forms_staff import CHANNEL_FIELD, NOTE_FIELD, TRACKING_FIELD, ActionForm, IntakeForm, QueueFilterForm
from sen.dossiers.models import Dossier, DossierTransition, Handover
from sen.dossiers.states import CLOCK_RUNNING, CLOCK_RUNNING_STATES, TRANSITIONS
from sen.dossiers.views_citizen import request_info
from sen.identity import policies as identity
from sen.identity.models import RoleGrant, User
from sen.procedures import selectors as procedure_selectors
from sen.procedures.choices import Channel
from sen.procedures.models import Procedure, ProcedureVersion, WorkflowStep

S = DossierState
PAGE_SIZE = 25
# The deepest page (10,000 dossiers in): past it, the filters or the other sort order find a dossier
# sooner than paging does, and each page further costs the database the rows before it.
MAX_PAGE = 400
CLOSED_STATES = (S.REFUSED, S.STOPPED, S.RETURNED)
TAB_LABELS = {
    "mine": gettext_lazy("Được giao cho tôi"),
    "receive": gettext_lazy("Chờ tiếp nhận"),
    "today": gettext_lazy("Đến hạn hôm nay"),
    "late": gettext_lazy("Quá hạn"),
    "all": gettext_lazy("Tất cả"),
}
DEFAULT_TAB = "mine"
SORTS = {
    "due": (F("effective_due_at").asc(nulls_last=True), F("submitted_at").asc(), F("id").asc()),
    "-due": (F("effective_due_at").desc(nulls_last=True), F("submitted_at").desc(), F("id").desc()),
    "received": (F("received_at").asc(nulls_last=True), F("submitted_at").asc(), F("id").asc()),
    "-received": (F("received_at").desc(nulls_last=True), F("submitted_at").desc(), F("id").desc()),
}
DEFAULT_SORT = "due"
FORM_TITLES = {
    "01": gettext_lazy("Mẫu 01 — Giấy tiếp nhận hồ sơ và hẹn trả kết quả"),
    "02": gettext_lazy("Mẫu 02 — Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ"),
    "03": gettext_lazy("Mẫu 03 — Phiếu từ chối tiếp nhận giải quyết hồ sơ"),
    "04": gettext_lazy("Mẫu 04 — Phiếu xin lỗi và hẹn lại ngày trả kết quả"),
    "05": gettext_lazy("Mẫu 05 — Phiếu kiểm soát quá trình giải quyết hồ sơ"),
}
# Actions that look like they end or refuse something: drawn as quiet buttons.
QUIET_ACTIONS = {
    DossierAction.REFUSE,
    DossierAction.STOP,
    DossierAction.RETURN_FOR_REWORK,
    DossierAction.RESCHEDULE,
    DossierAction.ACCEPT_WITHDRAWAL,
    DossierAction.REJECT_WITHDRAWAL,
}


# --- Who uses these pages ------------------------------------------------------------------------
def _staff_unit_ids(request: HttpRequest) -> tuple[User, list[int]]:
    """The staff user and the units of their one-stop roles; 404 for anyone else."""
    user = request.user
    if not isinstance(user, User) or user.kind != User.Kind.STAFF:
        raise Http404
    unit_ids = list(policies.staff_units(user).values_list("pk", flat=True))
    if not unit_ids:
        raise Http404
    return user, unit_ids


def _in_units(user: User, unit_ids: Sequence[int]) -> QuerySet[Dossier]:
    """What the work pages show: the actor's scope, narrowed to their one-stop units."""
    return policies.scope(user).filter(unit_id__in=unit_ids)


# --- The work queue ------------------------------------------------------------------------------
def _tab_conditions(user: User, now: dt.datetime, receive_units: Sequence[int]) -> dict[str, Q]:
    today = now.astimezone(VN_TZ).date()
    day_start = dt.datetime.combine(today, dt.time.min, tzinfo=VN_TZ)
    day_end = day_start + dt.timedelta(days=1)
    return {
        "mine": Q(assignee_id=user.pk) & ~Q(state__in=CLOSED_STATES),
        "receive": Q(state=S.SUBMITTED, unit_id__in=list(receive_units)),
        # CLOCK_RUNNING as it is, so that PostgreSQL may use the partial index that has it as condition.
        "today": CLOCK_RUNNING & Q(effective_due_at__gte=day_start, effective_due_at__lt=day_end),
        "late": CLOCK_RUNNING & Q(effective_due_at__lt=now),
        "all": Q(),
    }


def _filtered(qs: QuerySet[Dossier], values: dict[str, str]) -> QuerySet[Dossier]:
    if values["q"]:
        qs = qs.filter(code__icontains=values["q"])
    if values["procedure"]:
        qs = qs.filter(procedure_version__procedure__code=values["procedure"])
    if values["state"]:
        qs = qs.filter(state=values["state"])
    if values["channel"]:
        qs = qs.filter(channel=values["channel"])
    return qs


def _procedure_choices(unit_ids: Sequence[int]) -> list[tuple[str, str]]:
    """The procedures that have dossiers in the user's units (one query)."""
    has_dossiers = Exists(Dossier.objects.filter(procedure_version__procedure_id=OuterRef("pk"), unit_id__in=unit_ids))
    procedures = Procedure.objects.filter(has_dossiers).select_related("current_version").order_by("code")
    return [
        (p.code, f"{p.code} — {p.current_version.name if p.current_version else ''}".strip(" —")) for p in procedures
    ]


@dataclass(frozen=True)
class QueuePage:
    """One page of a tab. `num_pages` is None when the tab holds more than the counts' cap: then the
    page knows only whether a next one exists, as mail and issue trackers page long lists."""

    number: int
    dossiers: list[Dossier]
    has_next: bool
    num_pages: int | None
    cut_off: bool = False  # MAX_PAGE, and more dossiers after it

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_other_pages(self) -> bool:
        return self.has_previous or self.has_next or self.cut_off

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1


def _queue_page(dossiers: QuerySet[Dossier], asked: str | None, count: int) -> QueuePage:
    """The page `asked` for (the first if it is not a number), given the tab's capped count. With an
    exact count a page past the end is the last one, as Django's `Paginator.get_page` does; past the
    cap no page is counted: one row more than a page tells whether another follows, and a page past
    the end is empty (its template links back to the first). No page is deeper than MAX_PAGE."""
    num_pages = None if tab_counts.is_capped(count) else max(1, math.ceil(count / PAGE_SIZE))
    try:
        number = int(asked or 1)
    except ValueError:
        number = 1
    number = max(1, min(number, num_pages or MAX_PAGE))
    start = (number - 1) * PAGE_SIZE
    rows = list(dossiers[start : start + PAGE_SIZE + 1])
    more = len(rows) > PAGE_SIZE
    return QueuePage(
        number=number,
        dossiers=rows[:PAGE_SIZE],
        has_next=more and number < MAX_PAGE,
        num_pages=num_pages,
        cut_off=more and number == MAX_PAGE,
    )


@dataclass(frozen=True)
class Tab:
    key: str
    label: str
    count: int  # capped: COUNT_CAP + 1 means "more than COUNT_CAP"
    url: str
    current: bool

    @property
    def shown(self) -> str:
        return tab_counts.count_label(self.count)


def _row(dossier: Dossier, now: dt.datetime) -> dict[str, Any]:
    due = dossier.effective_due_at
    running = dossier.state in CLOCK_RUNNING_STATES and dossier.paused_since is None
    return {
        "dossier": dossier,
        "late": bool(running and due is not None and due < now),
        "due_today": bool(running and due is not None and due.astimezone(VN_TZ).date() == now.astimezone(VN_TZ).date()),
    }


@require_GET
def work_queue(request: HttpRequest) -> HttpResponse:
    user, unit_ids = _staff_unit_ids(request)
    now = timezone.now()
    form = QueueFilterForm(request.GET, procedures=_procedure_choices(unit_ids))
    form.is_valid()
    values = form.values()
    tab = request.GET.get("tab", "")
    if tab not in TAB_LABELS:
        tab = DEFAULT_TAB
    receive_units = list(identity.units_where(user, identity.ONE_STOP_OFFICER).values_list("pk", flat=True))
    conditions = _tab_conditions(user, now, receive_units)
    qs = _filtered(_in_units(user, unit_ids), values)
    counts = {key: tab_counts.capped_count(qs.filter(condition)) for key, condition in conditions.items()}
    sort = values["sort"] or DEFAULT_SORT
    rows_qs = (
        qs.filter(conditions[tab])
        .select_related("procedure_version__procedure", "unit", "applicant", "assignee", "current_step")
        .order_by(*SORTS[sort])
    )
    page = _queue_page(rows_qs, request.GET.get("page"), counts[tab])
    kept = {name: value for name, value in values.items() if value}
    tabs = [
        Tab(
            key=key,
            label=str(label),
            count=counts[key],
            url="?" + urlencode({"tab": key, **kept}),
            current=key == tab,
        )
        for key, label in TAB_LABELS.items()
        if key != "receive" or receive_units
    ]
    context = {
        "form": form,
        "tabs": tabs,
        "tab": tab,
        "tab_label": TAB_LABELS[tab],
        "tab_count": counts[tab],
        "tab_count_capped": tab_counts.is_capped(counts[tab]),
        "count_cap": tab_counts.COUNT_CAP,
        "page": page,
        "rows": [_row(dossier, now) for dossier in page.dossiers],
        "query": urlencode({"tab": tab, **kept}),
        "now": now,
        "intake_url": reverse("dossiers:intake_start") if receive_units else None,
    }
    if getattr(request, "htmx", False):
        return render(request, "dossiers/staff/queue.html#results", context)
    return render(request, "dossiers/staff/queue.html", context)


# --- One dossier ---------------------------------------------------------------------------------
def _dossier(user: User, unit_ids: Sequence[int], code: str) -> Dossier:
    dossier = (
        _in_units(user, unit_ids)
        .filter(code=code)
        .select_related(
            "procedure_version__procedure",
            "unit",
            "applicant",
            "receiver",
            "assignee",
            "current_step__unit",
        )
        .prefetch_related(
            Prefetch("transitions", queryset=DossierTransition.objects.select_related("actor").order_by("at", "id")),
            Prefetch(
                "handovers", queryset=Handover.objects.select_related("step", "giver", "receiver").order_by("at", "id")
            ),
            "files",
            "supplement_requests",
            "financial_obligations",
        )
        .first()
    )
    if dossier is None:
        raise Http404
    return dossier


def _eligible(step: WorkflowStep, dossier: Dossier) -> list[tuple[str, str]]:
    """(username, label) of the people who hold `step`'s role on its unit today (one query)."""
    unit = policies.step_unit(step, dossier)
    ancestors = unit.ancestor_ids() or [unit.pk]
    grants = RoleGrant.objects.filter(identity.valid_on(), role__code=step.role_code).filter(
        Q(unit_id=unit.pk) | Q(role__inherits_down=True, unit_id__in=ancestors)
    )
    people = User.objects.filter(is_active=True, pk__in=grants.values("user_id")).order_by("full_name", "username")
    return [(person.username, f"{person.full_name} ({person.username})") for person in people]


def _assignees(dossier: Dossier, actions: Sequence[str]) -> dict[str, list[tuple[str, str]]]:
    """Who each hand-over action may hand the dossier to: the next step's people (assign, forward,
    approve) and the previous step's (return for rework)."""
    wanted = set(actions) & {
        DossierAction.ASSIGN,
        DossierAction.FORWARD,
        DossierAction.APPROVE,
        DossierAction.RETURN_FOR_REWORK,
    }
    if not wanted:
        return {}
    steps = list(
        WorkflowStep.objects.filter(version_id=dossier.procedure_version_id).select_related("unit").order_by("order")
    )
    index = next((i for i, step in enumerate(steps) if step.pk == dossier.current_step_id), -1)
    result: dict[str, list[tuple[str, str]]] = {}
    if 0 <= index < len(steps) - 1:
        forward = _eligible(steps[index + 1], dossier)
        for action in wanted - {DossierAction.RETURN_FOR_REWORK}:
            result[action] = forward
    if DossierAction.RETURN_FOR_REWORK in wanted and index >= 2:
        result[DossierAction.RETURN_FOR_REWORK] = _eligible(steps[index - 1], dossier)
    return result


def _allowed_actions(user: User, dossier: Dossier) -> list[str]:
    """The actions the table allows from the dossier's state that the policy lets `user` take."""
    candidates = [action for action, transition in TRANSITIONS.items() if dossier.state in transition.sources]
    staff_actions = [action for action in candidates if action not in policies.APPLICANT_ACTIONS]
    # can_act depends on the action only for the applicant's actions: ask once for the rest.
    staff_may_act = bool(staff_actions) and policies.can_act(user, staff_actions[0], dossier)
    return [
        action
        for action in candidates
        if (policies.can_act(user, action, dossier) if action in policies.APPLICANT_ACTIONS else staff_may_act)
    ]


def _form_rows(dossier: Dossier) -> list[tuple[str, str]]:
    """The e-form's answers with their labels, in the form's order; unknown keys after."""
    data = dossier.form_data if isinstance(dossier.form_data, dict) else {}
    rows = []
    seen = set()
    for field in dossier.procedure_version.eform or []:
        name = field.get("name") if isinstance(field, dict) else None
        if not name:
            continue
        seen.add(name)
        rows.append((str(field.get("label") or name), _text(data.get(name))))
    rows += [(str(key), _text(value)) for key, value in data.items() if key not in seen]
    return rows


def _text(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, dict):
        return ", ".join(_text(v) for v in value.values() if v not in (None, ""))
    if isinstance(value, list):
        return ", ".join(_text(v) for v in value)
    return str(value)


def _url_or_none(name: str, code: str) -> str | None:
    try:
        return reverse(name, args=[code])
    except NoReverseMatch:
        return None


def _documents(user: User, dossier: Dossier, *, has_supplements: bool, has_handovers: bool) -> list[dict[str, str]]:
    """Links to the official forms (PDF) that exist for the dossier now, and to its signed e-result."""
    exists = {
        "01": dossier.received_at is not None,
        "02": has_supplements,
        "03": dossier.state == S.REFUSED,
        "04": dossier.rescheduled_due_at is not None,
        "05": has_handovers,
    }
    documents = []
    for number, title in FORM_TITLES.items():
        url = _url_or_none(f"dossiers:form_{number}", dossier.code) if exists[number] else None
        if url:
            documents.append({"label": str(title), "url": url})
    if dossier.state in (S.PROCESSED, S.RETURNED) and policies.can_download_result(user, dossier):
        url = _url_or_none("dossiers:result_download", dossier.code)
        if url:
            documents.append({"label": _("Kết quả điện tử (PDF có chữ ký số)"), "url": url})
    return documents


def _detail_context(
    request: HttpRequest,
    user: User,
    dossier: Dossier,
    *,
    bound: ActionForm | None = None,
) -> dict[str, Any]:
    actions = _allowed_actions(user, dossier)
    if bound is not None and bound.action not in actions:
        actions.append(bound.action)  # show the refused form with what was typed
    assignees = _assignees(dossier, actions)
    forms = []
    for action in actions:
        form = (
            bound
            if bound is not None and bound.action == action
            else ActionForm(action, assignees=assignees.get(action, ()))
        )
        forms.append(
            {
                "action": action,
                "label": DossierAction(action).label,
                "form": form,
                "url": reverse("dossiers:work_action", args=[dossier.code, action]),
                "quiet": action in QUIET_ACTIONS,
                "open": form is bound,
            }
        )
    timeliness = dossier_timeliness(dossier)
    supplements = list(dossier.supplement_requests.all())
    obligations = list(dossier.financial_obligations.all())
    handovers = list(dossier.handovers.all())
    return {
        "dossier": dossier,
        "version": dossier.procedure_version,
        "procedure": dossier.procedure_version.procedure,
        "form_rows": _form_rows(dossier),
        "files": list(dossier.files.all()),
        "transitions": list(dossier.transitions.all()),
        "handovers": handovers,
        "supplements": supplements,
        "obligations": obligations,
        "documents": _documents(user, dossier, has_supplements=bool(supplements), has_handovers=bool(handovers)),
        "timeliness": Timeliness(timeliness).label,
        "is_late": timeliness == Timeliness.LATE,
        "due_moved": dossier.effective_due_at is not None and dossier.effective_due_at != dossier.due_at,
        "action_forms": forms,
        "queue_url": reverse("dossiers:work_queue"),
        "panel_messages": bool(getattr(request, "htmx", False)),
    }


def _render_dossier(request: HttpRequest, context: dict[str, Any], *, status: int = 200) -> HttpResponse:
    if getattr(request, "htmx", False):
        # htmx swaps only 2xx answers: the message inside the panel tells what happened.
        return render(request, "dossiers/staff/dossier.html#panel", context)
    return render(request, "dossiers/staff/dossier.html", context, status=status)


@require_GET
def work_dossier(request: HttpRequest, code: str) -> HttpResponse:
    user, unit_ids = _staff_unit_ids(request)
    dossier = _dossier(user, unit_ids, code)
    return _render_dossier(request, _detail_context(request, user, dossier))


@require_POST
def work_action(request: HttpRequest, code: str, action: str) -> HttpResponse:
    user, unit_ids = _staff_unit_ids(request)
    if action not in TRANSITIONS:
        raise Http404
    dossier = _dossier(user, unit_ids, code)
    assignees = _assignees(dossier, [action]).get(action, [])
    form = ActionForm(action, request.POST, assignees=assignees)
    if not form.is_valid():
        messages.error(request, _("Thông tin chưa hợp lệ: vui lòng sửa các ô được đánh dấu."))
        return _render_dossier(request, _detail_context(request, user, dossier, bound=form), status=400)
    try:
        services.dossier_transition(actor=user, dossier=dossier, action=action, **form.service_kwargs())
    except NotFound:
        raise Http404 from None
    except SenError as error:
        field = (error.details or {}).get("field") if isinstance(error.details, dict) else None
        if field in form.fields:
            form.add_error(field, error.message)
        messages.error(request, error.message)
        return _render_dossier(request, _detail_context(request, user, dossier, bound=form), status=error.status)
    messages.success(
        request,
        _("Đã thực hiện “%(action)s” với hồ sơ %(code)s.") % {"action": DossierAction(action).label, "code": code},
    )
    if getattr(request, "htmx", False):
        return _render_dossier(request, _detail_context(request, user, _dossier(user, unit_ids, code)))
    return redirect("dossiers:work_dossier", code=code)


# --- Counter and postal intake ---------------------------------------------------------------------
INTAKE_PAGE_SIZE = 20


def _intake_units(request: HttpRequest) -> tuple[User, list[OrgUnit]]:
    """The one-stop officer and the units where they receive dossiers; 404 for anyone else."""
    user = request.user
    if not isinstance(user, User) or user.kind != User.Kind.STAFF:
        raise Http404
    units = list(identity.units_where(user, identity.ONE_STOP_OFFICER).filter(active_to__isnull=True).order_by("name"))
    if not units:
        raise Http404
    return user, units


@require_GET
def intake_start(request: HttpRequest) -> HttpResponse:
    """Step one of a paper dossier: find the procedure."""
    _intake_units(request)
    q = request.GET.get("q", "").strip()[:200]
    page = Paginator(procedure_selectors.procedures_search(q=q), INTAKE_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request, "dossiers/staff/intake_start.html", {"page": page, "q": q, "queue_url": reverse("dossiers:work_queue")}
    )


def _intake_form(version: ProcedureVersion, units: list[OrgUnit], **kwargs: Any) -> IntakeForm:
    return IntakeForm(
        eform=version.eform,
        components=version.components.all(),
        units=units if len(units) > 1 else None,
        **kwargs,
    )


@require_http_methods(["GET", "POST"])
@never_cache
def intake(request: HttpRequest, procedure_code: str) -> HttpResponse:
    """Step two: the applicant, the e-form and the scanned components; the dossier is received at once
    (counter or post, the officer as receiver). Each rendering carries its own idempotency key, so a
    double click or a resend makes one dossier."""
    user, units = _intake_units(request)
    try:
        procedure = procedure_selectors.procedure_get(procedure_code)
    except NotFound:
        raise Http404 from None
    version = procedure.current_version
    assert version is not None
    if request.method == "POST":
        form = _intake_form(version, units, data=request.POST, files=request.FILES)
        if form.is_valid():
            unit_code = form.unit_code() or units[0].code
            try:
                dossier = services.dossier_receive_paper(
                    actor=user,
                    channel=form.cleaned_data[CHANNEL_FIELD],
                    applicant=form.applicant(),
                    procedure_code=procedure.code,
                    form_data=form.eform_data(),
                    files=form.incoming_files(),
                    unit_code=unit_code,
                    postal_tracking_no=form.cleaned_data[TRACKING_FIELD],
                    context=request_info(request),
                    note=form.cleaned_data[NOTE_FIELD],
                    idempotency_key=form.cleaned_data[KEY_FIELD],
                )
            except InvalidInput as exc:
                form.add_service_error(exc)
            except PermissionDenied as exc:
                form.add_error(None, exc.message)
            except Conflict as exc:
                if exc.code != "idempotency_key_reused":
                    raise
                data = request.POST.copy()
                data[KEY_FIELD] = uuid.uuid4().hex
                form.data = data
                form.add_error(
                    None,
                    _(
                        "Biểu mẫu này đã được dùng để tiếp nhận một hồ sơ khác. Nếu đây là hồ sơ mới, vui lòng "
                        "kiểm tra lại thông tin, chọn lại tệp và bấm “Tiếp nhận hồ sơ”."
                    ),
                )
            else:
                messages.success(
                    request,
                    _(
                        "Đã tiếp nhận hồ sơ %(code)s (%(channel)s). In giấy tiếp nhận và hẹn trả kết quả "
                        "(mẫu 01) để giao cho người nộp."
                    )
                    % {"code": dossier.code, "channel": dossier.get_channel_display()},
                )
                return redirect("dossiers:work_dossier", code=dossier.code)
    else:
        channel = request.GET.get("channel", "")
        initial = {
            KEY_FIELD: uuid.uuid4().hex,
            CHANNEL_FIELD: channel if channel in Channel.values else Channel.COUNTER,
        }
        form = _intake_form(version, units, initial=initial)
    context = {
        "procedure": procedure,
        "version": version,
        "form": form,
        "start_url": reverse("dossiers:intake_start"),
    }
    return render(request, "dossiers/staff/intake.html", context)
