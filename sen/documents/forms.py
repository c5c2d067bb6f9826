"""Forms of the documents pages. They parse and show inline errors; the rules live in the services
(a SenError from a service becomes a form error in the view)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from sen.documents.choices import Confidentiality, DocumentType, IncomingAction, OutgoingAction, Urgency

MAX_UPLOADS = 10


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        items = data if isinstance(data, (list, tuple)) else ([data] if data else [])
        if len(items) > MAX_UPLOADS:
            raise forms.ValidationError(_("Tối đa %(n)s tệp.") % {"n": MAX_UPLOADS})
        return [super(MultipleFileField, self).clean(item, initial) for item in items]


class DraftForm(forms.Form):
    doc_type = forms.ChoiceField(label=_("Loại văn bản"), choices=DocumentType.choices, initial=DocumentType.CONG_VAN)
    subject = forms.CharField(label=_("Trích yếu nội dung"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))
    body = forms.CharField(
        label=_("Nội dung"), required=False, max_length=100_000, widget=forms.Textarea(attrs={"rows": 10})
    )
    urgency = forms.ChoiceField(label=_("Độ khẩn"), choices=Urgency.choices, initial=Urgency.NORMAL)
    confidentiality = forms.ChoiceField(label=_("Độ mật"), choices=Confidentiality.choices)
    signer = forms.ChoiceField(label=_("Người ký"), required=False)
    signer_position = forms.CharField(label=_("Chức vụ người ký"), max_length=120, required=False)
    signer_authority = forms.CharField(
        label=_("Thẩm quyền ký"),
        max_length=160,
        required=False,
        help_text=_("Ví dụ: TM. ỦY BAN NHÂN DÂN, KT. GIÁM ĐỐC"),
    )
    recipients = forms.MultipleChoiceField(
        label=_("Nơi nhận trong tỉnh"), required=False, widget=forms.SelectMultiple(attrs={"size": 8})
    )
    outside = forms.CharField(
        label=_("Nơi nhận ngoài Sen"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Mỗi dòng: mã định danh cơ quan | tên cơ quan (ví dụ: 000.00.00.G22 | Bộ Tư pháp)"),
    )
    copies = forms.IntegerField(label=_("Số lượng bản"), min_value=1, max_value=999, initial=1)
    appendices = MultipleFileField(label=_("Phụ lục (PDF)"), required=False)
    note = forms.CharField(label=_("Ghi chú phiên bản"), max_length=2000, required=False)
    # The issued document this draft replaces (set by the link on that document's page).
    replaces = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(
        self,
        *args: Any,
        signers: Sequence[tuple[str, str]] = (),
        units: Sequence[tuple[str, str]] = (),
        editing: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["signer"].choices = [("", _("— chọn người ký —")), *signers]  # type: ignore[attr-defined]
        self.fields["recipients"].choices = list(units)  # type: ignore[attr-defined]
        if editing:
            del self.fields["replaces"]
        else:
            del self.fields["note"]

    def outside_recipients(self) -> list[tuple[str, str]]:
        found = []
        for line in (self.cleaned_data.get("outside") or "").splitlines():
            if not line.strip():
                continue
            organ_id, _sep, name = line.partition("|")
            found.append((organ_id.strip(), name.strip() or organ_id.strip()))
        return found


# Which inputs each action's form shows.
OUTGOING_ACTION_FIELDS: dict[str, tuple[str, ...]] = {
    OutgoingAction.SUBMIT: ("comment",),
    OutgoingAction.APPROVE: ("comment",),
    OutgoingAction.SEND_BACK: ("comment",),
    OutgoingAction.SIGN: (),
    OutgoingAction.NUMBER: (),
    OutgoingAction.SEAL: (),
    OutgoingAction.ISSUE: (),
    OutgoingAction.FILE: ("case_file",),
    OutgoingAction.RECALL: ("comment",),
    OutgoingAction.CORRECT: ("comment",),
}
INCOMING_ACTION_FIELDS: dict[str, tuple[str, ...]] = {
    IncomingAction.ACCEPT: (),
    IncomingAction.REFUSE: ("comment",),
    IncomingAction.SUBMIT: (),
    IncomingAction.DIRECT: ("lead_unit", "supporting_units", "handler", "deadline", "instruction", "on_behalf_of"),
    IncomingAction.COMPLETE: ("comment",),
}


class ActionForm(forms.Form):
    comment = forms.CharField(
        label=_("Ý kiến"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 2})
    )
    case_file = forms.ChoiceField(label=pgettext_lazy("case file", "Hồ sơ"), required=False)
    lead_unit = forms.ChoiceField(label=_("Đơn vị chủ trì"), required=False)
    supporting_units = forms.MultipleChoiceField(label=_("Đơn vị phối hợp"), required=False)
    handler = forms.ChoiceField(label=_("Người xử lý"), required=False)
    deadline = forms.DateField(label=_("Hạn xử lý"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    instruction = forms.CharField(
        label=_("Ý kiến chỉ đạo"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 2})
    )
    on_behalf_of = forms.ChoiceField(
        label=_("Lãnh đạo đã chỉ đạo trên giấy"),
        required=False,
        help_text=_("Chỉ văn thư: ghi lại ý kiến chỉ đạo trên giấy (không tính là chỉ đạo trên phần mềm)."),
    )

    def __init__(
        self, action: str, fields: Sequence[str], *args: Any, choices: dict[str, Any] | None = None, **kwargs: Any
    ) -> None:
        kwargs.setdefault("prefix", action)
        super().__init__(*args, **kwargs)
        self.action = action
        for name in list(self.fields):
            if name not in fields:
                del self.fields[name]
        for name, options in (choices or {}).items():
            if name in self.fields:
                blank = [] if name == "supporting_units" else [("", "—")]
                self.fields[name].choices = [*blank, *options]  # type: ignore[attr-defined]

    def service_kwargs(self) -> dict[str, Any]:
        return {name: value for name, value in self.cleaned_data.items() if value not in (None, "", [])}


class PaperForm(forms.Form):
    sender_name = forms.CharField(label=_("Cơ quan ban hành"), max_length=255)
    sender_organ_id = forms.CharField(label=_("Mã định danh cơ quan ban hành"), max_length=40, required=False)
    reference = forms.CharField(label=_("Số, ký hiệu"), max_length=80, required=False)
    issued_on = forms.DateField(label=_("Ngày văn bản"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    doc_type = forms.ChoiceField(label=_("Loại văn bản"), choices=[("", "—"), *DocumentType.choices], required=False)
    subject = forms.CharField(label=_("Trích yếu"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))
    urgency = forms.ChoiceField(label=_("Độ khẩn"), choices=Urgency.choices, initial=Urgency.NORMAL)
    confidentiality = forms.ChoiceField(label=_("Độ mật"), choices=Confidentiality.choices)
    signer_name = forms.CharField(label=_("Người ký"), max_length=160, required=False)
    scans = MultipleFileField(label=_("Bản quét (PDF)"), required=False)


class CaseFileForm(forms.Form):
    """A new case file of the annual file list (danh mục hồ sơ)."""

    year = forms.IntegerField(label=_("Năm"), min_value=2000, max_value=2100)
    code = forms.CharField(label=_("Số, ký hiệu hồ sơ"), max_length=40, help_text=_("Ví dụ: 01.VP hoặc 05/HCTP"))
    title = forms.CharField(label=_("Tiêu đề hồ sơ"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))
    retention = forms.CharField(
        label=_("Thời hạn bảo quản"),
        max_length=40,
        required=False,
        help_text=_("Ví dụ: Vĩnh viễn, 20 năm, 10 năm; để trống là vĩnh viễn."),
    )
    unit = forms.ChoiceField(label=_("Đơn vị lập hồ sơ"), required=False)
    keeper = forms.ChoiceField(label=_("Người lập hồ sơ"), required=False)

    def __init__(
        self,
        *args: Any,
        units: Sequence[tuple[str, str]] = (),
        people: Sequence[tuple[str, str]] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [("", "—"), *units]  # type: ignore[attr-defined]
        self.fields["keeper"].choices = [("", "—"), *people]  # type: ignore[attr-defined]


class CaseFileListForm(forms.Form):
    """Which body's list, and which year (GET)."""

    body = forms.ChoiceField(label=_("Cơ quan"), required=False)
    year = forms.IntegerField(label=_("Năm"), min_value=2000, max_value=2100, required=False)

    def __init__(self, *args: Any, bodies: Sequence[tuple[str, str]] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["body"].choices = list(bodies)  # type: ignore[attr-defined]


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Tìm văn bản"), max_length=200, required=False)


class PeriodForm(forms.Form):
    start = forms.DateField(label=_("Từ ngày"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("Đến ngày"), widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            raise forms.ValidationError(_("Ngày kết thúc phải sau ngày bắt đầu."))
        return data
