"""Forms of the staff pages: the work queue's filters and one small form per dossier action.

Forms parse and show inline errors; the rules (who may act, which state allows what, whether a
reason or an assignee is needed, which dates are acceptable) live in sen.dossiers.services, which the
views call with `ActionForm.service_kwargs()`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from sen.core.exceptions import InvalidInput
from sen.dossiers.choices import DossierAction, DossierState
from sen.dossiers.forms_citizen import DossierSubmitForm
from sen.dossiers.services import ApplicantDetails
from sen.identity.services import normalize_national_id, normalize_phone
from sen.procedures.choices import Channel

A = DossierAction

# Which fields each action's form has: "!" required, "?" optional. Every form also has a note.
ACTION_FIELDS: dict[str, tuple[str, ...]] = {
    A.RECEIVE: (),
    A.REFUSE: ("reason!",),
    A.ASSIGN: ("assignee!",),
    A.FORWARD: ("assignee!",),
    A.APPROVE: ("assignee?",),
    A.RETURN_FOR_REWORK: ("reason!", "assignee?"),
    A.REQUEST_SUPPLEMENT: ("reason?",),
    A.SUPPLEMENT: (),
    A.STOP: ("reason!",),
    A.COMPLETE: (),
    A.RETURN_RESULT: (),
    A.RESCHEDULE: ("new_due_at!", "reason!"),
    A.REQUEST_PAYMENT: ("reason!", "amount_vnd?"),
    A.CONFIRM_PAYMENT: (),
    A.REQUEST_WITHDRAWAL: ("reason!",),
    A.ACCEPT_WITHDRAWAL: ("reason?",),
    A.REJECT_WITHDRAWAL: ("reason!",),
}
REASON_LABELS: dict[str, Any] = {
    A.REQUEST_PAYMENT: _("Nội dung nghĩa vụ tài chính"),
    A.REQUEST_WITHDRAWAL: _("Lý do rút hồ sơ"),
}

REASON_HELP: dict[str, Any] = {
    A.REQUEST_SUPPLEMENT: _("Bắt buộc từ lần yêu cầu bổ sung thứ hai (hồ sơ khi đó bị tính quá hạn)."),
    A.RESCHEDULE: _("Lý do hẹn lại, ghi trên phiếu xin lỗi và hẹn lại ngày trả kết quả (mẫu 04)."),
    A.REQUEST_PAYMENT: _(
        "Phí, lệ phí, thuế người nộp phải thực hiện; thời gian chờ không tính vào thời hạn giải quyết."
    ),
    A.REJECT_WITHDRAWAL: _("Hồ sơ trở lại trạng thái trước khi có yêu cầu rút."),
}
ASSIGNEE_HELP: dict[str, Any] = {
    A.APPROVE: _("Để trống: trả về cán bộ đã tiếp nhận hồ sơ (nếu bước tiếp theo là bước của họ)."),
    A.RETURN_FOR_REWORK: _("Để trống: trả về người đã xử lý bước trước."),
}


class ActionForm(forms.Form):
    """The fields of one action (see ACTION_FIELDS). `assignees`: (username, label) pairs of the
    people who may receive the step the action hands over to. Prefixed by the action, so that
    several forms on one page keep distinct ids."""

    note = forms.CharField(
        label=_("Ghi chú"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, action: str, *args: Any, assignees: Sequence[tuple[str, str]] = (), **kwargs: Any) -> None:
        kwargs.setdefault("prefix", action)
        super().__init__(*args, **kwargs)
        self.action = action
        fields: dict[str, forms.Field] = {}
        for spec in ACTION_FIELDS[action]:
            name, required = spec[:-1], spec.endswith("!")
            if name == "reason":
                fields[name] = forms.CharField(
                    label=REASON_LABELS.get(action, _("Lý do")),
                    required=required,
                    max_length=4000,
                    help_text=REASON_HELP.get(action, ""),
                    widget=forms.Textarea(attrs={"rows": 2}),
                )
            elif name == "assignee":
                blank = [("", _("— Chọn người nhận —") if required else _("— Mặc định —"))]
                fields[name] = forms.ChoiceField(
                    label=_("Người nhận"),
                    required=required,
                    choices=blank + list(assignees),
                    help_text=ASSIGNEE_HELP.get(action, ""),
                )
            elif name == "amount_vnd":
                fields[name] = forms.IntegerField(
                    label=_("Số tiền (đồng)"), required=required, min_value=0, max_value=10**15
                )
            elif name == "new_due_at":
                fields[name] = forms.DateTimeField(
                    label=_("Ngày hẹn trả mới"),
                    required=required,
                    input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M"],
                    widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
                )
        # the action's own fields first, the note last
        note = self.fields.pop("note")
        self.fields.update(fields)
        self.fields["note"] = note

    def service_kwargs(self) -> dict[str, Any]:
        """The keyword arguments for sen.dossiers.services.dossier_transition (call after is_valid)."""
        return {name: value for name, value in self.cleaned_data.items() if value not in ("", None)}


class QueueFilterForm(forms.Form):
    """The work queue's filters. An unknown value is ignored (the field is left out), never an error page."""

    SORTS = (
        ("due", _("Hạn xử lý gần nhất trước")),
        ("-due", _("Hạn xử lý xa nhất trước")),
        ("-received", _("Tiếp nhận mới nhất trước")),
        ("received", _("Tiếp nhận cũ nhất trước")),
    )

    q = forms.CharField(label=_("Mã hồ sơ"), required=False, max_length=64)
    procedure = forms.ChoiceField(label=_("Thủ tục"), required=False)
    state = forms.ChoiceField(
        label=_("Trạng thái"), required=False, choices=[("", _("Tất cả")), *list(DossierState.choices)]
    )
    channel = forms.ChoiceField(
        label=_("Hình thức nộp"), required=False, choices=[("", _("Tất cả")), *list(Channel.choices)]
    )
    sort = forms.ChoiceField(label=_("Sắp xếp"), required=False, choices=SORTS)

    def __init__(self, *args: Any, procedures: Sequence[tuple[str, str]] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        procedure_field = self.fields["procedure"]
        assert isinstance(procedure_field, forms.ChoiceField)
        procedure_field.choices = [("", _("Tất cả")), *list(procedures)]

    def values(self) -> dict[str, str]:
        """The valid filters (call after is_valid): an invalid field counts as not given."""
        cleaned = getattr(self, "cleaned_data", {})
        return {name: str(cleaned.get(name) or "").strip() for name in self.fields}


# --- Counter and postal intake ---------------------------------------------------------------------
CHANNEL_FIELD = "_channel"
TRACKING_FIELD = "_postal_tracking_no"
NOTE_FIELD = "_note"
APPLICANT_FIELDS = {
    "national_id": "_applicant_national_id",
    "full_name": "_applicant_full_name",
    "phone": "_applicant_phone",
    "address": "_applicant_address",
}
# Fields the service names in its errors (details["field"]) → this form's fields.
SERVICE_FIELDS = {
    "postal_tracking_no": TRACKING_FIELD,
    "channel": CHANNEL_FIELD,
    **{f"applicant_{name}": field for name, field in APPLICANT_FIELDS.items()},
}


class IntakeForm(DossierSubmitForm):
    """A paper dossier keyed in by a one-stop officer: how it came (counter or post, with the postal
    tracking number), the applicant (CCCD, name, phone, address), then the procedure's e-form and
    component files as on the citizen's page. Field names start with "_" (never an e-form name)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields[CHANNEL_FIELD] = forms.ChoiceField(
            label=_("Hình thức nhận hồ sơ"),
            choices=[
                (Channel.COUNTER, _("Trực tiếp tại bộ phận một cửa")),
                (Channel.POSTAL, _("Qua dịch vụ bưu chính")),
            ],
            initial=Channel.COUNTER,
            widget=forms.RadioSelect,
        )
        self.fields[TRACKING_FIELD] = forms.CharField(
            label=_("Số hiệu bưu gửi"),
            required=False,
            max_length=64,
            help_text=_("Bắt buộc khi hồ sơ đến qua dịch vụ bưu chính, vd. EB123456789VN."),
        )
        self.fields[APPLICANT_FIELDS["national_id"]] = forms.CharField(
            label=_("Số CCCD người nộp") + " *",
            max_length=20,
            widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
            error_messages={"required": _("Cần số CCCD của người nộp.")},
        )
        self.fields[APPLICANT_FIELDS["full_name"]] = forms.CharField(
            label=_("Họ và tên người nộp") + " *",
            max_length=255,
            error_messages={"required": _("Vui lòng nhập họ và tên.")},
        )
        self.fields[APPLICANT_FIELDS["phone"]] = forms.CharField(
            label=_("Số điện thoại") + " *",
            max_length=20,
            widget=forms.TextInput(attrs={"inputmode": "tel"}),
            help_text=_("Người nộp tra cứu hồ sơ bằng mã hồ sơ và 4 số cuối điện thoại."),
            error_messages={"required": _("Cần số điện thoại của người nộp.")},
        )
        self.fields[APPLICANT_FIELDS["address"]] = forms.CharField(label=_("Địa chỉ"), required=False, max_length=500)
        self.fields[NOTE_FIELD] = forms.CharField(
            label=_("Ghi chú khi tiếp nhận"),
            required=False,
            max_length=4000,
            widget=forms.Textarea(attrs={"rows": 2}),
        )

    # Groups, for the template.
    def channel_fields(self) -> list[forms.BoundField]:
        return [self[CHANNEL_FIELD], self[TRACKING_FIELD]]

    def applicant_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in APPLICANT_FIELDS.values()]

    def note_field(self) -> forms.BoundField:
        return self[NOTE_FIELD]

    # Values.
    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        normalizers = {"national_id": normalize_national_id, "phone": normalize_phone}
        for name, normalize in normalizers.items():
            field = APPLICANT_FIELDS[name]
            if cleaned.get(field):
                try:
                    cleaned[field] = normalize(cleaned[field])
                except InvalidInput as exc:
                    self.add_error(field, exc.message)
        if cleaned.get(CHANNEL_FIELD) == Channel.POSTAL and not (cleaned.get(TRACKING_FIELD) or "").strip():
            self.add_error(TRACKING_FIELD, _("Cần số hiệu bưu gửi khi hồ sơ đến qua dịch vụ bưu chính."))
        return cleaned

    def applicant(self) -> ApplicantDetails:
        values = {name: str(self.cleaned_data.get(field) or "") for name, field in APPLICANT_FIELDS.items()}
        return ApplicantDetails(**values)

    def add_service_error(self, exc: InvalidInput) -> None:
        details = exc.details if isinstance(exc.details, dict) else {}
        field = SERVICE_FIELDS.get(str(details.get("field") or ""))
        if field is not None:
            self.add_error(field, exc.message)
            return
        super().add_service_error(exc)
