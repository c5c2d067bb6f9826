"""Forms of the citizen's dossier pages.

`DossierSubmitForm` is built from data: one field per entry of the procedure version's e-form
definition (sen.procedures.eforms: text, number, date, choice, CCCD, address) and one file input per
component of the dossier. It validates with the same function the submission service calls
(`eform_validate`), so a page and the API give the same messages; the errors it reports come back
beside their fields. Files are checked by content (PDF, JPEG, PNG) and size with the service's own
checks, so a fake-typed file is refused beside its input before anything is written.

The form's own controls have names an e-form field can never have (e-form names start with a
lower-case letter; these start with "_", file inputs are "_file_<component id>").
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sen.core.exceptions import InvalidInput
from sen.core.models import OrgUnit
from sen.dossiers import services
from sen.dossiers.models import DossierDraftFile
from sen.procedures.choices import EFieldType
from sen.procedures.eforms import ADDRESS_PARTS, MAX_TEXT, eform_validate
from sen.procedures.models import Component

KEY_FIELD = "_idempotency_key"
REMOVE_FIELD = "_remove_file"
FROM_DRAFT_FIELD = "_draft"
UNIT_FIELD = "_unit_code"
FILE_PREFIX = "_file_"
ACCEPT = ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"
ADDRESS_LABELS = {
    "detail": gettext_lazy("Số nhà, đường, thôn/ấp"),
    "commune": gettext_lazy("Xã, phường"),
    "province": gettext_lazy("Tỉnh, thành phố"),
}


def file_field_name(component_id: int) -> str:
    return f"{FILE_PREFIX}{component_id}"


# --- Widgets and fields -------------------------------------------------------------------------
class AddressWidget(forms.MultiWidget):
    """Three inputs (detail, commune, province), grouped in a fieldset by components/field.html."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        widgets: dict[str, forms.Widget | type[forms.Widget]] = {
            part: forms.TextInput(attrs={"aria-label": label, "placeholder": label, "maxlength": 255})
            for part, label in ADDRESS_LABELS.items()
        }
        super().__init__(widgets, attrs)

    def decompress(self, value: Any) -> list[str]:
        if isinstance(value, dict):
            return [str(value.get(part) or "") for part in ADDRESS_PARTS]
        return ["" for _part in ADDRESS_PARTS]


class AddressField(forms.MultiValueField):
    widget = AddressWidget

    def __init__(self, **kwargs: Any) -> None:
        fields = tuple(forms.CharField(required=False) for _part in ADDRESS_PARTS)
        super().__init__(fields, require_all_fields=False, **kwargs)

    def compress(self, data_list: Sequence[str]) -> dict[str, str]:
        if not data_list:
            return {}
        return {part: (value or "").strip() for part, value in zip(ADDRESS_PARTS, data_list, strict=False)}


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class ComponentFileField(forms.FileField):
    """Zero or more files for one component, each checked by content and size like the service does."""

    widget = MultipleFileInput

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        uploads = [item for item in (data if isinstance(data, list | tuple) else [data]) if item]
        if self.required and not uploads:
            raise ValidationError(self.error_messages["required"], code="required")
        messages = []
        for upload in uploads:
            message = upload_problem(upload)
            if message:
                messages.append(message)
        if messages:
            raise ValidationError(messages)
        return uploads


def upload_problem(upload: UploadedFile) -> str | None:
    """Why the service would refuse this file (size, empty, type by content), or None."""
    name = upload.name or ""
    try:
        services.file_size_check(name, upload.size or 0)
    except InvalidInput as exc:
        return exc.message
    if not upload.size:
        return _("Tệp “%(name)s” rỗng.") % {"name": name}
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if services.file_type_of(head) is None:
        return _("Tệp “%(name)s” không phải PDF, JPEG hoặc PNG (kiểm tra theo nội dung tệp).") % {"name": name}
    return None


def _date_bound(rule: Any) -> str | None:
    if rule == "today":
        return timezone.localdate().isoformat()
    if isinstance(rule, str):
        try:
            return dt.date.fromisoformat(rule).isoformat()
        except ValueError:
            return None
    return None


def eform_field(item: dict[str, Any]) -> forms.Field:
    """The form field for one e-form entry. Django checks nothing itself (required=False): the
    e-form validator decides, so a page and the API say the same thing."""
    kind = EFieldType(item["type"])
    rules: dict[str, Any] = item.get("validation") or {}
    attrs: dict[str, Any] = {}
    if item.get("required"):
        attrs["aria-required"] = "true"
    label = item["label"]
    field: forms.Field
    if kind == EFieldType.TEXT:
        attrs["maxlength"] = min(rules.get("max_length") or MAX_TEXT, MAX_TEXT)
        field = forms.CharField(widget=forms.TextInput(attrs=attrs))
    elif kind == EFieldType.NUMBER:
        attrs["step"] = "1" if rules.get("integer") else "any"
        attrs["inputmode"] = "numeric" if rules.get("integer") else "decimal"
        for key in ("min", "max"):
            if rules.get(key) is not None:
                attrs[key] = rules[key]
        field = forms.CharField(widget=forms.NumberInput(attrs=attrs))
    elif kind == EFieldType.DATE:
        attrs["type"] = "date"
        for key in ("min", "max"):
            bound = _date_bound(rules.get(key))
            if bound:
                attrs[key] = bound
        field = forms.CharField(widget=forms.DateInput(attrs=attrs, format="%Y-%m-%d"))
    elif kind == EFieldType.CHOICE:
        choices = [("", _("— Chọn —"))] + [(o["value"], o["label"]) for o in rules.get("options", [])]
        field = forms.CharField(widget=forms.Select(attrs=attrs, choices=choices))
    elif kind == EFieldType.CCCD:
        attrs.update({"inputmode": "numeric", "maxlength": 15, "autocomplete": "off"})
        field = forms.CharField(
            widget=forms.TextInput(attrs=attrs), help_text=_("12 chữ số, in trên thẻ căn cước công dân.")
        )
    else:
        field = AddressField()
        if item.get("required"):
            field.widget.attrs["aria-required"] = "true"
    field.required = False
    field.label = label + (" *" if item.get("required") else "")
    return field


# --- The submission form ------------------------------------------------------------------------
class DossierSubmitForm(forms.Form):
    """The e-form of one procedure version, the component files, the receiving unit when the
    applicant must choose it, and the idempotency key of this rendering (hidden).

    With a draft: `kept_files` are the files already stored in it, shown beside their component's
    input with a "remove" box (`_remove_file`); they count for the required components. With
    `draft_mode` (the "Lưu nháp" button) only the files are checked: a draft may be incomplete."""

    def __init__(
        self,
        *args: Any,
        eform: list[dict[str, Any]],
        components: Iterable[Component] = (),
        units: Sequence[OrgUnit] | None = None,
        kept_files: Sequence[DossierDraftFile] = (),
        draft_mode: bool = False,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.eform = eform
        self.draft_mode = draft_mode
        self.fields[KEY_FIELD] = forms.CharField(widget=forms.HiddenInput, max_length=128)
        if units is not None:
            choices = [("", _("— Chọn cơ quan —"))] + [(unit.code, unit.name) for unit in units]
            self.fields[UNIT_FIELD] = forms.ChoiceField(
                label=_("Cơ quan tiếp nhận hồ sơ") + " *",
                choices=choices,
                required=not draft_mode,
                error_messages={"required": _("Cần chọn cơ quan tiếp nhận hồ sơ.")},
            )
        for item in eform:
            self.fields[item["name"]] = eform_field(item)
        self.components = list(components)
        self.kept_files = list(kept_files)
        for component in self.components:
            field = ComponentFileField(
                label=component.name + (" *" if component.required else ""),
                required=False,
                help_text=_("PDF, JPEG hoặc PNG; tối đa %(mb)s MB mỗi tệp; có thể chọn nhiều tệp.")
                % {"mb": services.MAX_FILE_BYTES // (1024 * 1024)},
            )
            field.widget.attrs.update({"accept": ACCEPT})
            self.fields[file_field_name(component.pk)] = field
        if self.kept_files:
            self.fields[REMOVE_FIELD] = forms.TypedMultipleChoiceField(
                choices=[(str(f.pk), f.name) for f in self.kept_files],
                coerce=int,
                required=False,
                widget=forms.CheckboxSelectMultiple,
            )

    # Groups, for the template.
    def eform_fields(self) -> list[forms.BoundField]:
        return [self[item["name"]] for item in self.eform]

    def file_fields(self) -> list[forms.BoundField]:
        return [self[file_field_name(component.pk)] for component in self.components]

    def _ticked(self) -> set[str]:
        getlist = getattr(self.data, "getlist", None)
        return set(getlist(REMOVE_FIELD)) if self.is_bound and getlist else set()

    def file_rows(self) -> list[tuple[forms.BoundField, list[tuple[DossierDraftFile, bool]]]]:
        """Each component's file input with the draft's files kept for it (and whether "remove" is ticked)."""
        ticked = self._ticked()
        return [
            (
                self[file_field_name(c.pk)],
                [(f, str(f.pk) in ticked) for f in self.kept_files if f.component_id == c.pk],
            )
            for c in self.components
        ]

    def unattached_kept_files(self) -> list[tuple[DossierDraftFile, bool]]:
        ids = {component.pk for component in self.components}
        ticked = self._ticked()
        return [(f, str(f.pk) in ticked) for f in self.kept_files if f.component_id not in ids]

    def unit_field(self) -> forms.BoundField | None:
        return self[UNIT_FIELD] if UNIT_FIELD in self.fields else None

    # Values.
    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.draft_mode:
            return cleaned
        try:
            eform_validate(self.eform, self.eform_data())
        except InvalidInput as exc:
            self.add_service_error(exc)
        self._components_check()
        return cleaned

    def removed_file_ids(self) -> list[int]:
        return list(self.cleaned_data.get(REMOVE_FIELD) or [])

    def _components_check(self) -> None:
        """The service's rule, checked here too so that the page says it with the other errors: each
        required component needs a file (chosen now, or kept from the draft)."""
        removed = set(self.removed_file_ids())
        attached = [f.component_id for f in self.kept_files if f.pk not in removed]
        for component in self.components:
            if self.cleaned_data.get(file_field_name(component.pk)):
                attached.append(component.pk)
        for component in services.components_missing(self.components, attached):
            name = file_field_name(component.pk)
            if name not in self.errors:
                self.add_error(name, missing_component_message(component))

    def eform_data(self) -> dict[str, Any]:
        """The e-form values as the service takes them ("" or {} when left empty)."""
        return {item["name"]: self.cleaned_data.get(item["name"], "") for item in self.eform}

    def unit_code(self) -> str:
        return str(self.cleaned_data.get(UNIT_FIELD) or "")

    def incoming_files(self) -> list[services.IncomingFile]:
        incoming = []
        for component in self.components:
            for upload in self.cleaned_data.get(file_field_name(component.pk)) or []:
                upload.seek(0)
                incoming.append(
                    services.IncomingFile(name=upload.name or "", content=upload.read(), component_id=component.pk)
                )
        return incoming

    def draft_data(self) -> dict[str, Any]:
        """What the applicant typed in the e-form, unvalidated, to keep in a draft."""
        draft: dict[str, Any] = {}
        for item in self.eform:
            value = self[item["name"]].data
            if item["type"] == EFieldType.ADDRESS:
                parts = value if isinstance(value, list | tuple) else []
                draft[item["name"]] = {
                    part: str(text or "")[:255] for part, text in zip(ADDRESS_PARTS, parts, strict=False)
                }
            else:
                draft[item["name"]] = str(value or "")[:MAX_TEXT]
        return draft

    # Errors from the e-form validator and the service.
    def add_service_error(self, exc: InvalidInput) -> None:
        """Put an InvalidInput beside the field it is about: e-form fields from details["fields"],
        a file from details["file"], the receiving unit from details["field"]; else above the form."""
        details = exc.details if isinstance(exc.details, dict) else {}
        fields = details.get("fields")
        if isinstance(fields, dict) and fields:
            for name, message in fields.items():
                self.add_error(name if name in self.fields else None, str(message))
            return
        if details.get("field") == "unit_code" and UNIT_FIELD in self.fields:
            self.add_error(UNIT_FIELD, exc.message)
            return
        missing = details.get("components")
        if isinstance(missing, list) and missing:
            by_id: dict[Any, Component] = {component.pk: component for component in self.components}
            for item in missing:
                component = by_id.get(item.get("id")) if isinstance(item, dict) else None
                if component is None:
                    self.add_error(None, exc.message)
                    return
                name = file_field_name(component.pk)
                if name not in self.errors:
                    self.add_error(name, missing_component_message(component))
            return
        target = self._file_field_for(details.get("file"))
        self.add_error(target, exc.message)

    def _file_field_for(self, name: Any) -> str | None:
        """The file input that carried a file the service names (by the name it stored)."""
        if not isinstance(name, str) or not self.is_bound:
            return None
        for component in self.components:
            field_name = file_field_name(component.pk)
            for upload in self.files.getlist(field_name) if hasattr(self.files, "getlist") else []:
                if _stored_name(upload.name or "") == name:
                    return field_name
        return None


def missing_component_message(component: Component) -> str:
    return _("Cần đính kèm “%(name)s”: đây là thành phần hồ sơ bắt buộc.") % {
        "name": services.short_name(component.name)
    }


def _stored_name(name: str) -> str:
    """The name the service keeps for an upload (its last path part, trimmed)."""
    return name.replace("\\", "/").rsplit("/", 1)[-1].strip()[:255] or "tep"


# --- Tracking without logging in ---------------------------------------------------------------
class TrackForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Mã hồ sơ"),
        max_length=64,
        help_text=gettext_lazy("Mã in trên giấy tiếp nhận, vd. H15.50.05.13-261122-0007"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    phone_last4 = forms.CharField(
        label=gettext_lazy("4 số cuối điện thoại của người nộp"),
        max_length=4,
        min_length=4,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "pattern": "[0-9]{4}"}),
    )

    def clean_code(self) -> str:
        return re.sub(r"\s+", "", self.cleaned_data["code"])

    def clean_phone_last4(self) -> str:
        value = self.cleaned_data["phone_last4"].strip()
        if not re.fullmatch(r"[0-9]{4}", value):
            raise ValidationError(_("Nhập đúng 4 chữ số cuối của số điện thoại."))
        return value
