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

from sen.dossiers.choices import DossierAction, DossierState
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
}

REASON_HELP: dict[str, Any] = {
    A.REQUEST_SUPPLEMENT: _("Bắt buộc từ lần yêu cầu bổ sung thứ hai (hồ sơ khi đó bị tính quá hạn)."),
    A.RESCHEDULE: _("Lý do hẹn lại, ghi trên phiếu xin lỗi và hẹn lại ngày trả kết quả (mẫu 04)."),
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
                    label=_("Lý do"),
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
