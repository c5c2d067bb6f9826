"""Documents pages for staff: the work lists (outgoing and incoming boxes with counts and search), a
draft's form, a document's page with the actions its reader may take, paper registration, the
registers (printable PDF, XLSX) and leaders' participation. Views parse, call one service or
selector and render; a SenError from a service is shown as a Vietnamese message, never a 500. The
draft and paper registration forms carry a one-time key (a hidden field, new at each rendering) that
the service takes as the Idempotency-Key, so a double submit lands on the same document."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import urlencode

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sen.core import files
from sen.core.calendar import VN_TZ
from sen.core.counts import count_label
from sen.core.exceptions import SenError
from sen.core.i18n import with_labels
from sen.core.models import OrgUnit
from sen.documents import policies, registers, selectors, services, services_incoming
from sen.documents.choices import (
    Direction,
    DocumentType,
    FileRole,
    IncomingAction,
    IncomingState,
    OutgoingAction,
    OutgoingState,
)
from sen.documents.forms import (
    INCOMING_ACTION_FIELDS,
    OUTGOING_ACTION_FIELDS,
    ActionForm,
    CaseFileForm,
    CaseFileListForm,
    DraftForm,
    PaperForm,
    PeriodForm,
    SearchForm,
)
from sen.documents.models import IncomingDocument, OutgoingDocument, Register
from sen.documents.states import INCOMING, OUTGOING
from sen.identity import policies as identity
from sen.identity.models import RoleGrant, User

T = TypeVar("T")
# The incoming page's filing form: not a step of the incoming table, so not one of its actions.
INCOMING_FILE = "file"


def _staff(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User) or user.kind != User.Kind.STAFF:
        raise Http404
    return user


def _found(get: Callable[..., T], *, actor: User, pk: int) -> T:
    """What a selector finds for the actor, else 404: a forbidden object looks like a missing one."""
    try:
        return get(actor=actor, pk=pk)
    except SenError:
        raise Http404 from None


def _today() -> dt.date:
    return timezone.now().astimezone(VN_TZ).date()


# --- Choices --------------------------------------------------------------------------------------
def _leaders_of(body: OrgUnit) -> list[tuple[str, str]]:
    grants = (
        RoleGrant.objects.filter(identity.valid_on(), role__code=identity.LEADER, unit=body, user__is_active=True)
        .select_related("user")
        .order_by("user__full_name")
    )
    return [(grant.user.username, grant.user.full_name) for grant in grants]


def _recipient_units(body: OrgUnit | None) -> list[tuple[str, str]]:
    registers_in = (
        Register.objects.filter(
            direction=Direction.INCOMING, active=True, is_secret=False, body__active_to__isnull=True
        )
        .exclude(body=body)
        .select_related("body")
        .order_by("body__path")
    )
    return [(register.body.code, register.body.name) for register in registers_in]


def _units_in(body: OrgUnit) -> list[tuple[str, str]]:
    units = OrgUnit.objects.filter(path__startswith=body.path, active_to__isnull=True).order_by("path")
    return [(unit.code, unit.name) for unit in units]


def _people_in(body: OrgUnit) -> list[tuple[str, str]]:
    people = (
        User.objects.filter(
            employments__unit__path__startswith=body.path, employments__valid_to__isnull=True, is_active=True
        )
        .distinct()
        .order_by("full_name")
    )
    return [(user.username, user.full_name) for user in people]


# --- Home: the boxes ------------------------------------------------------------------------------
def _boxes(request: HttpRequest) -> tuple[str, dict[str, Any], str, SearchForm, str]:
    """The direction, its boxes, the current box and the search of a home request."""
    search = SearchForm(request.GET or None)
    q = search.data.get("q", "") if search.is_bound and search.is_valid() else ""
    direction = "incoming" if request.GET.get("view") == "incoming" else "outgoing"
    boxes = selectors.OUTGOING_BOXES if direction == "outgoing" else selectors.INCOMING_BOXES
    box = request.GET.get("box") or ("mine" if direction == "outgoing" else "open")
    if box not in boxes:
        box = next(iter(boxes))
    return direction, boxes, box, search, q


def _tabs(direction: str, boxes: dict[str, Any], box: str, q: str, counts: dict[str, int] | None) -> list[Any]:
    return [
        {
            "name": name,
            "label": label,
            "count": "" if counts is None else count_label(counts[name]),
            "current": name == box,
            "url": f"?view={direction}&box={name}",
        }
        for name, label in boxes.items()
    ]


def home(request: HttpRequest) -> HttpResponse:
    """The lists. The tabs' counts come in a second request (`home_counts`, fetched by htmx once the
    page is shown): they are the same whatever is searched and cost 20–25 ms at a million documents
    (bench/documents), so the list does not wait for them."""
    actor = _staff(request)
    direction, boxes, box, search, q = _boxes(request)
    try:
        if direction == "outgoing":
            rows: Any = with_labels(
                selectors.outgoing_page(actor, box=box, q=q), doc_type=DocumentType, state=OutgoingState
            )
        else:
            rows = with_labels(selectors.incoming_page(actor, box=box, q=q), state=IncomingState)
    except SenError as error:
        messages.error(request, error.message)
        rows = []
    body = policies.home_body(actor)
    return render(
        request,
        "documents/home.html",
        {
            "direction": direction,
            "tabs": _tabs(direction, boxes, box, q, None),
            "counted": False,
            "box": box,
            "rows": rows,
            "search": search,
            "q": q,
            "can_draft": body is not None,
            "can_register_paper": body is not None and policies.is_clerk(actor, body),
        },
    )


def home_counts(request: HttpRequest) -> HttpResponse:
    """The tabs of the lists with how many documents each holds (up to "999+")."""
    actor = _staff(request)
    direction, boxes, box, _search, q = _boxes(request)
    counts = selectors.box_counts(actor, direction=direction)
    tabs = _tabs(direction, boxes, box, q, counts)
    return render(request, "documents/home.html#tabs", {"tabs": tabs, "counted": True, "q": q})


# --- Outgoing -------------------------------------------------------------------------------------
def _draft_form(request: HttpRequest, actor: User, *, editing: bool = False, initial: Any = None) -> DraftForm:
    body = policies.home_body(actor)
    if body is None:
        raise Http404
    return DraftForm(
        request.POST or None,
        request.FILES or None,
        signers=_leaders_of(body),
        units=_recipient_units(body),
        editing=editing,
        initial=initial,
    )


def _draft_in(form: DraftForm) -> services.DraftIn:
    data = form.cleaned_data
    return services.DraftIn(
        doc_type=data["doc_type"],
        subject=data["subject"],
        body=data.get("body") or "",
        urgency=data["urgency"],
        confidentiality=data["confidentiality"],
        signer=data.get("signer") or "",
        signer_position=data.get("signer_position") or "",
        signer_authority=data.get("signer_authority") or "",
        recipients=(
            *(services.RecipientIn(unit_code=code) for code in data.get("recipients") or ()),
            *(services.RecipientIn(organ_id=organ, name=name) for organ, name in form.outside_recipients()),
        ),
        copies=data.get("copies") or 1,
    )


def _uploads(items: Any) -> list[services.Upload]:
    return [services.Upload(name=item.name or "", content=item.read()) for item in items or ()]


def _initial_of(document: OutgoingDocument) -> dict[str, Any]:
    """The draft form filled in from `document` (to edit it, or to start its replacement)."""
    return {
        "doc_type": document.doc_type,
        "subject": document.subject,
        "body": document.body,
        "urgency": document.urgency,
        "confidentiality": document.confidentiality,
        "signer": document.signer.username if document.signer else "",
        "signer_position": document.signer_position,
        "signer_authority": document.signer_authority,
        "recipients": [recipient.unit.code for recipient in document.recipients.all() if recipient.unit],
        "outside": "\n".join(
            f"{recipient.organ_id} | {recipient.name}" for recipient in document.recipients.all() if not recipient.unit
        ),
        "copies": document.copies,
    }


def _replaced(actor: User, value: str | None) -> OutgoingDocument | None:
    """The issued document a new draft replaces (`?replaces=` on the link, then the hidden field)."""
    if not value:
        return None
    try:
        pk = int(value)
    except ValueError:
        raise Http404 from None
    if not 0 < pk < 2**31:
        raise Http404
    return _found(selectors.outgoing_get, actor=actor, pk=pk)


def outgoing_new(request: HttpRequest) -> HttpResponse:
    actor = _staff(request)
    replaced = _replaced(actor, request.POST.get("replaces") or request.GET.get("replaces"))
    initial = {**_initial_of(replaced), "replaces": replaced.pk} if replaced is not None else None
    form = _draft_form(request, actor, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            document = services.outgoing_create(
                actor=actor,
                data=_draft_in(form),
                appendices=_uploads(form.cleaned_data.get("appendices")),
                replaces=replaced,
                idempotency_key=request.POST.get("idempotency_key", ""),
            )
        except SenError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Đã lưu dự thảo."))
            return redirect("documents:outgoing", pk=document.pk)
    return render(
        request,
        "documents/draft_form.html",
        {
            "form": form,
            "title": _("Soạn văn bản thay thế") if replaced is not None else _("Soạn văn bản đi"),
            "replaced": replaced,
            "idempotency_key": uuid.uuid4().hex,
        },
    )


def outgoing_edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _staff(request)
    document = _found(selectors.outgoing_get, actor=actor, pk=pk)
    form = _draft_form(request, actor, editing=True, initial=_initial_of(document))
    if request.method == "POST" and form.is_valid():
        try:
            services.outgoing_edit(
                actor=actor,
                document=document,
                data=_draft_in(form),
                appendices_add=_uploads(form.cleaned_data.get("appendices")),
                note=form.cleaned_data.get("note") or "",
            )
        except SenError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Đã lưu phiên bản mới của dự thảo."))
            return redirect("documents:outgoing", pk=document.pk)
    return render(
        request,
        "documents/draft_form.html",
        {"form": form, "title": _("Sửa dự thảo"), "document": document, "idempotency_key": ""},
    )


def _case_file_choices(body: OrgUnit) -> list[tuple[str, str]]:
    """This year's open case files of `body`, for a filing form."""
    open_files = selectors.open_case_files(body, _today().year)
    return [(str(case_file.pk), f"{case_file.code} — {case_file.title}") for case_file in open_files]


def _outgoing_forms(actor: User, document: OutgoingDocument) -> list[dict[str, Any]]:
    case_files = _case_file_choices(document.organisation)
    found = []
    for action, transition in OUTGOING.items():
        if action == OutgoingAction.EDIT or document.state not in transition.sources:
            continue
        if not policies.can_act_outgoing(actor, action, document):
            continue
        fields = OUTGOING_ACTION_FIELDS.get(action, ())
        found.append(
            {
                "action": action,
                "label": OutgoingAction(action).label,
                "form": ActionForm(action, fields, choices={"case_file": case_files}),
                "url": reverse("documents:outgoing_action", args=[document.pk, action]),
            }
        )
    return found


def outgoing_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _staff(request)
    document = _found(selectors.outgoing_get, actor=actor, pk=pk)
    visible = [
        item
        for item in document.files.all()
        if not item.superseded
        and (item.role in (FileRole.FINAL, FileRole.APPENDIX_SIGNED) or policies.in_outgoing_flow(actor, document))
    ]
    return render(
        request,
        "documents/outgoing.html",
        {
            "document": document,
            "actions": _outgoing_forms(actor, document),
            "can_edit": policies.can_act_outgoing(actor, OutgoingAction.EDIT, document)
            and document.state in OUTGOING[OutgoingAction.EDIT].sources,
            "files": visible,
            "metadata": registers.metadata(document) if document.number else [],
            "can_replace": policies.can_replace_outgoing(actor, document),
            "case_files": selectors.case_files_holding(document),
        },
    )


@require_POST
def outgoing_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    actor = _staff(request)
    if action not in OUTGOING_ACTION_FIELDS:
        raise Http404
    document = _found(selectors.outgoing_get, actor=actor, pk=pk)
    form = ActionForm(
        action,
        OUTGOING_ACTION_FIELDS[action],
        request.POST,
        choices={"case_file": _case_file_choices(document.organisation)},
    )
    if form.is_valid():
        try:
            services.outgoing_transition(actor=actor, document=document, action=action, **form.service_kwargs())
        except SenError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Đã thực hiện: %(action)s.") % {"action": OutgoingAction(action).label})
    else:
        messages.error(request, _("Dữ liệu nhập chưa hợp lệ."))
    return redirect("documents:outgoing", pk=pk)


# --- Incoming -------------------------------------------------------------------------------------
def _incoming_forms(actor: User, document: IncomingDocument) -> list[dict[str, Any]]:
    body = document.organisation
    choices = {
        "lead_unit": _units_in(body),
        "supporting_units": _units_in(body),
        "handler": _people_in(body),
        "on_behalf_of": _leaders_of(body),
    }
    found = []
    for action, transition in INCOMING.items():
        if document.state not in transition.sources:
            continue
        may = policies.can_act_incoming(actor, action, document)
        paper_direction = action == IncomingAction.DIRECT and policies.is_clerk(actor, body)
        if not (may or paper_direction):
            continue
        fields = list(INCOMING_ACTION_FIELDS[action])
        if action == IncomingAction.DIRECT and not paper_direction:
            fields.remove("on_behalf_of")
        found.append(
            {
                "action": action,
                "label": IncomingAction(action).label,
                "form": ActionForm(action, fields, choices=choices),
                "url": reverse("documents:incoming_action", args=[document.pk, action]),
            }
        )
    if policies.can_file_incoming(actor, document):
        found.append(
            {
                "action": INCOMING_FILE,
                "label": _("Lưu vào hồ sơ"),
                "form": ActionForm(INCOMING_FILE, ("case_file",), choices={"case_file": _case_file_choices(body)}),
                "url": reverse("documents:incoming_file", args=[document.pk]),
            }
        )
    return found


def incoming_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _staff(request)
    document = _found(selectors.incoming_get, actor=actor, pk=pk)
    return render(
        request,
        "documents/incoming.html",
        {
            "document": document,
            "actions": _incoming_forms(actor, document),
            "notices": list(selectors.notices_for_incoming(document)),
            "metadata": registers.metadata(document) if document.incoming_number else [],
            "verification": (document.verification or {}).get("files", []),
            "case_files": selectors.case_files_holding(document),
        },
    )


@require_POST
def incoming_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    actor = _staff(request)
    if action not in INCOMING_ACTION_FIELDS:
        raise Http404
    document = _found(selectors.incoming_get, actor=actor, pk=pk)
    body = document.organisation
    form = ActionForm(
        action,
        INCOMING_ACTION_FIELDS[action],
        request.POST,
        choices={
            "lead_unit": _units_in(body),
            "supporting_units": _units_in(body),
            "handler": _people_in(body),
            "on_behalf_of": _leaders_of(body),
        },
    )
    if form.is_valid():
        try:
            services_incoming.incoming_transition(
                actor=actor, document=document, action=action, **form.service_kwargs()
            )
        except SenError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Đã thực hiện: %(action)s.") % {"action": IncomingAction(action).label})
    else:
        errors = "; ".join(str(error) for field_errors in form.errors.values() for error in field_errors)
        messages.error(request, _("Dữ liệu nhập chưa hợp lệ: %(errors)s") % {"errors": errors})
    return redirect("documents:incoming", pk=pk)


@require_POST
def incoming_file(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _staff(request)
    document = _found(selectors.incoming_get, actor=actor, pk=pk)
    form = ActionForm(
        INCOMING_FILE, ("case_file",), request.POST, choices={"case_file": _case_file_choices(document.organisation)}
    )
    if form.is_valid() and form.cleaned_data.get("case_file"):
        try:
            item = services.incoming_file_into(
                actor=actor, case_file=int(form.cleaned_data["case_file"]), incoming=document
            )
        except SenError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Đã lưu văn bản vào hồ sơ %(code)s.") % {"code": item.case_file.code})
    else:
        messages.error(request, _("Cần chọn một hồ sơ đang mở của cơ quan."))
    return redirect("documents:incoming", pk=pk)


def incoming_paper(request: HttpRequest) -> HttpResponse:
    actor = _staff(request)
    body = policies.home_body(actor)
    if body is None or not policies.is_clerk(actor, body):
        raise Http404
    form = PaperForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            document = services_incoming.incoming_register_paper(
                actor=actor,
                body=body,
                arrival=services_incoming.Arrival(
                    sender_name=data["sender_name"],
                    sender_organ_id=data.get("sender_organ_id") or "",
                    subject=data["subject"],
                    reference=data.get("reference") or "",
                    issued_on=data.get("issued_on"),
                    doc_type=data.get("doc_type") or "",
                    urgency=data["urgency"],
                    confidentiality=data["confidentiality"],
                    signer_name=data.get("signer_name") or "",
                ),
                uploads=_uploads(data.get("scans")),
                idempotency_key=request.POST.get("idempotency_key", ""),
            )
        except SenError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Đã vào sổ văn bản đến số %(n)s.") % {"n": document.incoming_number})
            return redirect("documents:incoming", pk=document.pk)
    return render(
        request, "documents/paper_form.html", {"form": form, "body": body, "idempotency_key": uuid.uuid4().hex}
    )


def document_file(request: HttpRequest, pk: int) -> FileResponse:
    actor = _staff(request)
    item = _found(selectors.document_file_get, actor=actor, pk=pk)
    return files.response(
        str(item.file.name),
        filename=item.name,
        content_type="application/pdf",
        as_attachment=request.GET.get("inline") != "1",
    )


# --- Registers and participation --------------------------------------------------------------------
def register_list(request: HttpRequest) -> HttpResponse:
    actor = _staff(request)
    return render(
        request, "documents/registers.html", {"registers": selectors.registers_for(actor), "year": _today().year}
    )


def _year(request: HttpRequest) -> int:
    try:
        year = int(request.GET.get("year") or _today().year)
    except ValueError:
        year = _today().year
    return year if 2000 <= year <= 2100 else _today().year


def register_detail(request: HttpRequest, pk: int, export: str = "") -> HttpResponse:
    actor = _staff(request)
    register = _found(selectors.register_get, actor=actor, pk=pk)
    year = _year(request)
    entries = list(selectors.register_entries(register, year))
    name = f"so-{register.direction}-{register.body.code}-{year}"
    if export == "xlsx":
        response = HttpResponse(
            registers.register_xlsx(register, year, entries),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
        return response
    if export == "pdf":
        response = HttpResponse(registers.register_pdf(register, year, entries), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{name}.pdf"'
        return response
    labels = [label for _key, label, _getter in registers.fields_for(register)]
    return render(
        request,
        "documents/register.html",
        {"register": register, "year": year, "labels": labels, "rows": registers.rows(register, entries)},
    )


# --- Case files (danh mục hồ sơ) ---------------------------------------------------------------------
def _case_file_body(request: HttpRequest, actor: User) -> tuple[list[OrgUnit], OrgUnit | None]:
    """The bodies whose file list the actor keeps, and the one shown (`?body=`, else their own)."""
    bodies = list(selectors.case_file_bodies(actor))
    home = policies.home_body(actor)
    default = home if home in bodies else next(iter(bodies), None)
    return bodies, {body.code: body for body in bodies}.get(request.GET.get("body", ""), default)


def _case_files_url(body: OrgUnit, year: int) -> str:
    return f"{reverse('documents:case_files')}?{urlencode({'body': body.code, 'year': year})}"


def _form_error(form: Any, error: SenError) -> None:
    """A service's error on the field it names, else above the form."""
    field = error.details.get("field") if isinstance(error.details, dict) else None
    form.add_error(field if field in form.fields else None, error.message)


def case_file_list(request: HttpRequest) -> HttpResponse:
    actor = _staff(request)
    bodies, body = _case_file_body(request, actor)
    year = _year(request)
    form = None
    if body is not None:
        form = CaseFileForm(
            request.POST or None, units=_units_in(body), people=_people_in(body), initial={"year": year}
        )
    if request.method == "POST" and (body is None or form is None):
        raise Http404
    if body is not None and form is not None and form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            case_file = services.case_file_create(
                actor=actor,
                body=body,
                year=data["year"],
                code=data["code"],
                title=data["title"],
                retention=data.get("retention") or "",
                unit=data.get("unit") or None,
                keeper=data.get("keeper") or None,
            )
        except SenError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("Đã lập hồ sơ %(code)s.") % {"code": case_file.code})
            return redirect(_case_files_url(case_file.body, case_file.year))
    rows = list(selectors.case_files_for(actor, year=year, body=body)) if body is not None else []
    return render(
        request,
        "documents/case_files.html",
        {
            "body": body,
            "year": year,
            "rows": rows,
            "form": form,
            "choose": CaseFileListForm(
                initial={"body": body.code if body else "", "year": year},
                bodies=[(item.code, item.name) for item in bodies],
            ),
            "several_bodies": len(bodies) > 1,
        },
    )


def case_file_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _staff(request)
    case_file = _found(selectors.case_file_get, actor=actor, pk=pk)
    return render(
        request,
        "documents/case_file.html",
        {"case_file": case_file, "back": _case_files_url(case_file.body, case_file.year)},
    )


@require_POST
def case_file_close(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _staff(request)
    case_file = _found(selectors.case_file_get, actor=actor, pk=pk)
    try:
        services.case_file_close(actor=actor, case_file=case_file)
    except SenError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Đã kết thúc hồ sơ %(code)s.") % {"code": case_file.code})
    return redirect(_case_files_url(case_file.body, case_file.year))


def participation(request: HttpRequest) -> HttpResponse:
    actor = _staff(request)
    today = _today()
    form = PeriodForm(request.GET or {"start": today.replace(day=1).isoformat(), "end": today.isoformat()})
    rows = []
    if form.is_valid():
        start = dt.datetime.combine(form.cleaned_data["start"], dt.time.min, tzinfo=VN_TZ)
        end = dt.datetime.combine(form.cleaned_data["end"] + dt.timedelta(days=1), dt.time.min, tzinfo=VN_TZ)
        rows = selectors.participation(actor=actor, start=start, end=end)
    return render(request, "documents/participation.html", {"form": form, "rows": rows})
