"""The official one-stop forms of Circular 01/2018/TT-VPCP (guiding Decree 61/2018/NĐ-CP), as PDF.

    01  Giấy tiếp nhận hồ sơ và hẹn trả kết quả            once the dossier is received
    02  Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ             once a supplement was requested (the latest)
    03  Phiếu từ chối tiếp nhận giải quyết hồ sơ            once the dossier was refused at intake
    04  Phiếu xin lỗi và hẹn lại ngày trả kết quả           once a new date was given (the latest)
    05  Phiếu kiểm soát quá trình giải quyết hồ sơ          once the first hand-over happened (staff only)

Each form is laid out as the circular shows it: the agency on the left over a short rule, the
national heading on the right with its motto underlined, the number under the agency and the place
and date under the motto, the title, the body, the signature block. The text is the circular's,
in Vietnamese whatever the reader's language (these are legal documents); dates follow Decree
30/2020 (a leading zero for days below 10 and for January and February: "ngày 05 tháng 3").

How it works: `form_gather(dossier, number)` gathers everything from a dossier loaded by
`sen.dossiers.selectors.dossier_get` (history, hand-overs, files, supplement requests prefetched)
into plain values, so the templates (templates/dossiers/forms/) hold no queries; `form_pdf` renders
the template with WeasyPrint through sen.core.typesetting (the Decree 30 page, shared with outgoing
documents).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from sen.core import typesetting
from sen.core.calendar import VN_TZ
from sen.core.exceptions import NotFound
from sen.core.i18n import in_vietnamese, vietnamese_label
from sen.core.models import OrgUnit
from sen.dossiers import policies
from sen.dossiers.choices import DossierAction, DossierState, Timeliness
from sen.dossiers.deadlines import dossier_timeliness
from sen.dossiers.models import Dossier, DossierTransition, Handover, SupplementRequest
from sen.identity import policies as identity
from sen.identity.models import User
from sen.procedures.choices import Channel, EFieldType, TimeUnit
from sen.procedures.models import Component

ONE_STOP_SECTION = "BỘ PHẬN TIẾP NHẬN VÀ TRẢ KẾT QUẢ"


@dataclass(frozen=True)
class OfficialForm:
    number: str
    title: str
    symbol: str  # after "Số: …/": the form's abbreviation
    template: str
    slug: str  # for the file name
    for_applicant: bool  # the applicant may download it (05 is an internal slip)


FORMS: dict[str, OfficialForm] = {
    form.number: form
    for form in (
        OfficialForm(
            "01",
            "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
            "TNHS",
            "dossiers/forms/form_01.html",
            "giay-tiep-nhan-hen-tra",
            True,
        ),
        OfficialForm(
            "02",
            "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ",
            "YCBS",
            "dossiers/forms/form_02.html",
            "phieu-yeu-cau-bo-sung",
            True,
        ),
        OfficialForm(
            "03",
            "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ",
            "TCHS",
            "dossiers/forms/form_03.html",
            "phieu-tu-choi",
            True,
        ),
        OfficialForm(
            "04",
            "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ",
            "XLHS",
            "dossiers/forms/form_04.html",
            "phieu-xin-loi-hen-lai",
            True,
        ),
        OfficialForm(
            "05",
            "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ",
            "KSHS",
            "dossiers/forms/form_05.html",
            "phieu-kiem-soat",
            False,
        ),
    )
}


class FormNotApplicable(NotFound):
    """The form does not exist for this dossier yet (e.g. 04 without a new date)."""

    code = "form_not_applicable"


# --- Dates, Vietnamese style ---------------------------------------------------------------------
def _vn(value: dt.datetime) -> dt.datetime:
    return value.astimezone(VN_TZ) if timezone.is_aware(value) else value


def vn_date(value: dt.date | dt.datetime) -> str:
    """ "ngày 23 tháng 02 năm 2026", "ngày 05 tháng 3 năm 2026" (Decree 30/2020: a leading zero for
    days below 10 and for months below 3)."""
    day = _vn(value).date() if isinstance(value, dt.datetime) else value
    day_text = f"{day.day:02d}" if day.day < 10 else str(day.day)
    month_text = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"ngày {day_text} tháng {month_text} năm {day.year}"


def vn_datetime(value: dt.datetime) -> str:
    """ "15 giờ 30 phút, ngày 23 tháng 02 năm 2026" in Vietnam time."""
    local = _vn(value)
    return f"{local.hour:02d} giờ {local.minute:02d} phút, {vn_date(local)}"


# --- Who may download what -------------------------------------------------------------------------
def staff_may_view(actor: Any, dossier: Dossier) -> bool:
    """Staff holding a one-stop role over the dossier's unit (the staff half of policies.can_view)."""
    return (
        isinstance(actor, User)
        and actor.kind == User.Kind.STAFF
        and policies.can_view(actor, dossier)
        and any(identity.has_role(actor, role, dossier.unit) for role in policies.DOSSIER_ROLES)
    )


def may_download(actor: Any, dossier: Dossier, number: str) -> bool:
    """The applicant downloads 01–04 of their own dossier; staff who can see the dossier any form."""
    form = FORMS.get(number)
    if form is None or not policies.can_view(actor, dossier):
        return False
    if form.for_applicant and dossier.applicant_id == getattr(actor, "pk", None):
        return True
    return staff_may_view(actor, dossier)


# --- Gathering the data ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Person:
    name: str
    address: str = ""
    phone: str = ""
    email: str = ""
    is_organisation: bool = False

    @property
    def salutation(self) -> str:
        return "tổ chức" if self.is_organisation else "ông/bà"


@dataclass(frozen=True)
class HandoverRow:
    order: int
    step: str
    unit: str
    giver: str
    receiver: str
    at: str
    due: str
    result: str
    note: str = ""


@dataclass
class FormData:
    """Everything a form template shows, as plain text."""

    form: OfficialForm
    code: str
    agency_lines: list[tuple[str, bool]]  # (text, bold), top to bottom
    number: str
    place_date: str
    applicant: Person
    procedure_name: str
    unit_name: str
    extra: dict[str, Any] = field(default_factory=dict)

    def context(self) -> dict[str, Any]:
        return {
            "form": self.form,
            "title": self.form.title,
            "code": self.code,
            "agency_lines": self.agency_lines,
            "number": self.number,
            "place_date": self.place_date,
            "applicant": self.applicant,
            "procedure_name": self.procedure_name,
            "unit_name": self.unit_name,
            **self.extra,
        }


def _name(user: User | None) -> str:
    if user is None:
        return ""
    return user.full_name or user.get_username()


def _address(dossier: Dossier) -> str:
    """The address the officer typed in for a paper dossier, else the first address field of the
    e-form, as one line."""
    if dossier.applicant_address:
        return dossier.applicant_address
    for spec in dossier.procedure_version.eform or []:
        if spec.get("type") != EFieldType.ADDRESS:
            continue
        value = (dossier.form_data or {}).get(spec.get("name"))
        if isinstance(value, dict):
            return ", ".join(str(value[part]) for part in ("detail", "commune", "province") if value.get(part))
    return ""


def _applicant(dossier: Dossier) -> Person:
    user = dossier.applicant
    return Person(
        name=_name(user),
        address=_address(dossier),
        phone=user.phone,
        email=user.email,
        is_organisation=user.kind == User.Kind.BUSINESS,
    )


def _agency_lines(unit: OrgUnit, *, one_stop: bool) -> list[tuple[str, bool]]:
    """01, 02, 03, 05: the agency, then its one-stop section in bold. 04: the parent, then the agency."""
    if one_stop:
        names = [(unit.name.upper(), False), (ONE_STOP_SECTION, True)]
    else:
        parent = unit.parent
        names = [(parent.name.upper(), False)] if parent is not None else []
        names.append((unit.name.upper(), True))
    return [(line, bold) for name, bold in names for line in typesetting.balanced_lines(name)]


def _place_date(value: dt.datetime | None) -> str:
    place = settings.SEN_PROVINCE_NAME
    if value is None:
        return f"{place}, ngày … tháng … năm …"
    return f"{place}, {vn_date(value)}"


def _transitions(dossier: Dossier, action: str) -> list[DossierTransition]:
    return [t for t in dossier.transitions.all() if t.action == action]


def _processing_time(dossier: Dossier) -> str:
    version = dossier.procedure_version
    if version.processing_amount is None:
        return "không quy định"
    unit = vietnamese_label(TimeUnit(version.processing_unit)) if version.processing_unit in TimeUnit.values else "ngày"
    return f"{version.processing_amount} {unit}"


def _components(dossier: Dossier) -> list[str]:
    """What was handed in: each component of the procedure with the files given for it, then the files
    given for no component. A paper dossier without files lists the procedure's components."""
    files = list(dossier.files.all())
    components = list(Component.objects.filter(version_id=dossier.procedure_version_id).order_by("order", "id"))
    lines: list[str] = []
    for component in components:
        names = [f.name for f in files if f.component_id == component.pk]
        if names:
            lines.append(f"{component.name} ({', '.join(names)})")
        elif not files:
            copies = []
            if component.originals:
                copies.append(f"{component.originals:02d} bản chính")
            if component.copies:
                copies.append(f"{component.copies:02d} bản sao")
            lines.append(f"{component.name}" + (f" ({', '.join(copies)})" if copies else ""))
    lines.extend(f.name for f in files if f.component_id is None)
    return lines


def _return_place(dossier: Dossier) -> str:
    if dossier.channel == Channel.ONLINE:
        return f"Cổng Dịch vụ công tỉnh {settings.SEN_PROVINCE_NAME} (trực tuyến)"
    if dossier.channel == Channel.POSTAL:
        return "Qua dịch vụ bưu chính công ích"
    return f"Bộ phận Tiếp nhận và Trả kết quả – {dossier.unit.name}"


def _base(dossier: Dossier, form: OfficialForm, *, on: dt.datetime | None, one_stop: bool = True) -> FormData:
    return FormData(
        form=form,
        code=dossier.code,
        agency_lines=_agency_lines(dossier.unit, one_stop=one_stop),
        number=f"{dossier.code}/{form.symbol}",
        place_date=_place_date(on),
        applicant=_applicant(dossier),
        procedure_name=dossier.procedure_version.name,
        unit_name=dossier.unit.name,
    )


def _form_01(dossier: Dossier, form: OfficialForm) -> FormData:
    if dossier.received_at is None:
        raise FormNotApplicable(_("Hồ sơ chưa được tiếp nhận nên chưa có Giấy tiếp nhận hồ sơ và hẹn trả kết quả."))
    data = _base(dossier, form, on=dossier.received_at)
    data.extra = {
        "components": _components(dossier),
        "processing_time": _processing_time(dossier),
        "received_text": vn_datetime(dossier.received_at),
        "due_text": vn_datetime(dossier.due_at) if dossier.due_at else "theo quy định của thủ tục",
        "return_place": _return_place(dossier),
        "receiver_name": _name(dossier.receiver),
        "postal_tracking_no": dossier.postal_tracking_no,
    }
    return data


def _form_02(dossier: Dossier, form: OfficialForm) -> FormData:
    requests: list[SupplementRequest] = list(dossier.supplement_requests.all())
    if not requests:
        raise FormNotApplicable(_("Hồ sơ chưa có yêu cầu bổ sung nên chưa có Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ."))
    request = max(requests, key=lambda r: (r.requested_at, r.pk))
    history = [t for t in _transitions(dossier, DossierAction.REQUEST_SUPPLEMENT) if t.at == request.requested_at]
    note = history[-1].note if history else ""
    items = [line.strip(" -•\t") for line in note.splitlines() if line.strip(" -•\t")]
    if not items and request.reason:
        items = [request.reason]
    guide = User.objects.filter(pk=request.requested_by_id).first()
    data = _base(dossier, form, on=request.requested_at)
    data.extra = {
        "items": items,
        "reason": request.reason,
        "request_no": len(requests),
        "requested_text": vn_datetime(request.requested_at),
        "guide_name": _name(guide),
        "guide_phone": guide.phone if guide is not None else "",
    }
    return data


def _form_03(dossier: Dossier, form: OfficialForm) -> FormData:
    refusals = _transitions(dossier, DossierAction.REFUSE)
    if dossier.state != DossierState.REFUSED or not refusals:
        raise FormNotApplicable(_("Hồ sơ không bị từ chối tiếp nhận nên không có Phiếu từ chối tiếp nhận."))
    refusal = refusals[-1]
    data = _base(dossier, form, on=refusal.at)
    data.extra = {
        "reason": refusal.reason,
        "submitted_text": vn_datetime(dossier.submitted_at),
        "refuser_name": _name(refusal.actor),
    }
    return data


def _parse_instant(value: Any) -> dt.datetime | None:
    if isinstance(value, str):
        try:
            return dt.datetime.fromisoformat(value)
        except ValueError:
            return None
    return value if isinstance(value, dt.datetime) else None


def _form_04(dossier: Dossier, form: OfficialForm) -> FormData:
    reschedules = _transitions(dossier, DossierAction.RESCHEDULE)
    if dossier.rescheduled_due_at is None or not reschedules:
        raise FormNotApplicable(
            _("Hồ sơ chưa được hẹn lại ngày trả kết quả nên chưa có Phiếu xin lỗi và hẹn lại ngày trả kết quả.")
        )
    latest = reschedules[-1]
    # The date promised before this apology: the previous apology's, else the due date (with pauses).
    promised = _parse_instant(reschedules[-2].details.get("rescheduled_due_at")) if len(reschedules) > 1 else None
    promised = promised or dossier.effective_due_at or dossier.due_at
    data = _base(dossier, form, on=latest.at, one_stop=False)
    data.extra = {
        "received_date": vn_date(dossier.received_at) if dossier.received_at else "",
        "promised_text": vn_datetime(promised) if promised else "",
        "new_due_text": vn_datetime(dossier.rescheduled_due_at),
        "reason": latest.reason,
        "agency_name": dossier.unit.name,
    }
    return data


def _step_result(end: dt.datetime | None, due: dt.datetime | None, now: dt.datetime) -> str:
    """Early / on time / late for one step, by its own due time."""
    if due is None:
        return "Hoàn thành" if end is not None else "Đang xử lý"
    if end is None:
        return "Đang xử lý, đã quá hạn" if now > due else "Đang xử lý"
    if end > due:
        return vietnamese_label(Timeliness.LATE)
    if _vn(end).date() < _vn(due).date():
        return vietnamese_label(Timeliness.EARLY)
    return vietnamese_label(Timeliness.ON_TIME)


def _form_05(dossier: Dossier, form: OfficialForm) -> FormData:
    handovers: list[Handover] = list(dossier.handovers.all())
    if not handovers:
        raise FormNotApplicable(_("Hồ sơ chưa được giao, nhận giữa các bước nên chưa có Phiếu kiểm soát."))
    reworks = {t.at: t.reason for t in _transitions(dossier, DossierAction.RETURN_FOR_REWORK)}
    final_end = dossier.returned_at or dossier.processed_at or dossier.ended_at
    now = timezone.now()
    rows = []
    for index, handover in enumerate(handovers):
        end = handovers[index + 1].at if index + 1 < len(handovers) else final_end
        step = handover.step
        unit = step.unit if step.unit_id is not None and step.unit is not None else dossier.unit
        note = f"Trả lại để xử lý lại: {reworks[handover.at]}" if handover.at in reworks else ""
        rows.append(
            HandoverRow(
                order=index + 1,
                step=step.name,
                unit=unit.name,
                giver=_name(handover.giver),
                receiver=_name(handover.receiver),
                at=vn_datetime(handover.at),
                due=vn_datetime(handover.step_due_at) if handover.step_due_at else "",
                result=_step_result(end, handover.step_due_at, now),
                note=note,
            )
        )
    partners = sorted({row.unit for row in rows} - {dossier.unit.name})
    overall = dossier_timeliness(dossier)
    data = _base(dossier, form, on=dossier.received_at)
    data.extra = {
        "rows": rows,
        "partners": ", ".join(partners),
        "receipt_number": f"{dossier.code}/{FORMS['01'].symbol}",
        "due_text": vn_datetime(dossier.due_at) if dossier.due_at else "",
        "effective_due_text": (
            vn_datetime(dossier.effective_due_at)
            if dossier.effective_due_at and dossier.effective_due_at != dossier.due_at
            else ""
        ),
        "rescheduled_text": vn_datetime(dossier.rescheduled_due_at) if dossier.rescheduled_due_at else "",
        "state_label": vietnamese_label(DossierState(dossier.state)),
        "overall": "" if overall == Timeliness.PENDING else vietnamese_label(Timeliness(overall)),
        "returned_text": vn_datetime(dossier.returned_at) if dossier.returned_at else "",
    }
    return data


_GATHER = {"01": _form_01, "02": _form_02, "03": _form_03, "04": _form_04, "05": _form_05}


def form_gather(dossier: Dossier, number: str) -> FormData:
    """The data of form `number` for `dossier`; FormNotApplicable if the form does not exist yet."""
    form = FORMS.get(number)
    if form is None:
        raise NotFound(_("Không có mẫu phiếu số %(number)s.") % {"number": number}, code="form_unknown")
    return _GATHER[number](dossier, form)


def form_html(dossier: Dossier, number: str) -> str:
    data = form_gather(dossier, number)
    with in_vietnamese():
        return render_to_string(data.form.template, data.context())


def form_pdf(dossier: Dossier, number: str) -> bytes:
    """Form `number` of `dossier` as PDF bytes."""
    return typesetting.render_pdf(form_html(dossier, number))


def form_filename(dossier: Dossier, number: str) -> str:
    return f"mau-{number}-{FORMS[number].slug}-{dossier.code}.pdf"
