"""E-forms defined as data, and the validator the dossier submission calls.

A form definition is a list of fields:
    {"name": "ho_ten", "label": "Họ và tên", "type": "text", "required": true,
     "validation": {"min_length": 2, "max_length": 100}}
Types and their `validation` keys:
    text     min_length, max_length
    number   min, max, integer (bool)
    date     min ("YYYY-MM-DD" or "today"), max (same)
    choice   options: [{"value": "...", "label": "..."}]   (required)
    cccd     — (12 digits, first three a province code 001–096)
    address  — (an object {"detail", "commune", "province"}, each non-empty)
`eform_validate(definition, data)` returns the cleaned values or raises InvalidInput whose details
are {"fields": {name: "<Vietnamese message>"}}.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from sen.core.exceptions import InvalidInput
from sen.procedures.choices import EFieldType

_NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,59}$")
_CCCD_RE = re.compile(r"^[0-9]{12}$")
ADDRESS_PARTS = ("detail", "commune", "province")
MAX_TEXT = 2000
VALIDATION_KEYS = {
    EFieldType.TEXT: {"min_length", "max_length"},
    EFieldType.NUMBER: {"min", "max", "integer"},
    EFieldType.DATE: {"min", "max"},
    EFieldType.CHOICE: {"options"},
    EFieldType.CCCD: set(),
    EFieldType.ADDRESS: set(),
}


# --- The definition itself (checked when a version is published) --------------------------
def eform_definition_check(definition: Any) -> list[dict[str, Any]]:
    """Check a form definition; return it normalised (every key present). Raises InvalidInput."""
    if not isinstance(definition, list):
        raise InvalidInput(_("Biểu mẫu điện tử phải là một danh sách trường."))
    seen: set[str] = set()
    normalised = []
    for position, item in enumerate(definition, start=1):
        where = _("Trường thứ %(n)s") % {"n": position}
        if not isinstance(item, dict):
            raise InvalidInput(_("%(where)s của biểu mẫu không hợp lệ.") % {"where": where})
        name, label, kind = item.get("name"), item.get("label"), item.get("type")
        if not isinstance(name, str) or not _NAME_RE.match(name):
            raise InvalidInput(
                _("%(where)s: tên trường phải gồm chữ thường không dấu, số, gạch dưới.") % {"where": where}
            )
        if name in seen:
            raise InvalidInput(_("Biểu mẫu có hai trường cùng tên “%(name)s”.") % {"name": name})
        seen.add(name)
        if not isinstance(label, str) or not label.strip():
            raise InvalidInput(_("%(where)s: thiếu nhãn.") % {"where": where})
        if kind not in EFieldType.values:
            raise InvalidInput(
                _("%(where)s: loại trường “%(kind)s” không được hỗ trợ.") % {"where": where, "kind": kind}
            )
        validation = item.get("validation") or {}
        if not isinstance(validation, dict) or set(validation) - VALIDATION_KEYS[EFieldType(kind)]:
            raise InvalidInput(_("%(where)s: quy tắc kiểm tra không hợp lệ.") % {"where": where})
        if kind == EFieldType.CHOICE:
            options = validation.get("options")
            if not options or not all(
                isinstance(o, dict) and isinstance(o.get("value"), str) and isinstance(o.get("label"), str)
                for o in options
            ):
                raise InvalidInput(_("%(where)s: trường lựa chọn cần danh sách lựa chọn.") % {"where": where})
        normalised.append(
            {
                "name": name,
                "label": label.strip(),
                "type": kind,
                "required": bool(item.get("required")),
                "validation": validation,
            }
        )
    return normalised


# --- Values -----------------------------------------------------------------------------------
class _FieldError(Exception):
    pass


def _is_empty(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, dict):
        return all(_is_empty(v) for v in value.values())
    return False


def _clean_text(value: Any, rules: dict[str, Any]) -> str:
    if not isinstance(value, str):
        raise _FieldError(_("Phải là văn bản."))
    text = value.strip()
    min_length, max_length = rules.get("min_length"), min(rules.get("max_length") or MAX_TEXT, MAX_TEXT)
    if min_length and len(text) < min_length:
        raise _FieldError(_("Cần ít nhất %(n)s ký tự.") % {"n": min_length})
    if len(text) > max_length:
        raise _FieldError(_("Không được quá %(n)s ký tự.") % {"n": max_length})
    return text


def _clean_number(value: Any, rules: dict[str, Any]) -> int | Decimal:
    if isinstance(value, bool):
        raise _FieldError(_("Phải là một số."))
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except InvalidOperation:
        raise _FieldError(_("Phải là một số.")) from None
    if not number.is_finite():
        raise _FieldError(_("Phải là một số."))
    if rules.get("integer") and number != number.to_integral_value():
        raise _FieldError(_("Phải là số nguyên."))
    if rules.get("min") is not None and number < Decimal(str(rules["min"])):
        raise _FieldError(_("Không được nhỏ hơn %(n)s.") % {"n": rules["min"]})
    if rules.get("max") is not None and number > Decimal(str(rules["max"])):
        raise _FieldError(_("Không được lớn hơn %(n)s.") % {"n": rules["max"]})
    return int(number) if rules.get("integer") else number


def _bound(rule: Any) -> dt.date | None:
    if rule is None:
        return None
    if rule == "today":
        return timezone.localdate()
    return dt.date.fromisoformat(rule)


def _clean_date(value: Any, rules: dict[str, Any]) -> dt.date:
    if isinstance(value, dt.date):
        day = value
    elif isinstance(value, str):
        text = value.strip()
        try:
            if re.match(r"^\d{4}-\d{2}-\d{2}$", text):
                day = dt.date.fromisoformat(text)
            elif re.match(r"^\d{1,2}/\d{1,2}/\d{4}$", text):
                day = dt.datetime.strptime(text, "%d/%m/%Y").date()
            else:
                raise ValueError(text)
        except ValueError:
            raise _FieldError(_("Ngày không hợp lệ (nhập dạng dd/mm/yyyy).")) from None
    else:
        raise _FieldError(_("Ngày không hợp lệ (nhập dạng dd/mm/yyyy)."))
    earliest, latest = _bound(rules.get("min")), _bound(rules.get("max"))
    if earliest and day < earliest:
        raise _FieldError(_("Ngày không được trước %(d)s.") % {"d": earliest.strftime("%d/%m/%Y")})
    if latest and day > latest:
        raise _FieldError(_("Ngày không được sau %(d)s.") % {"d": latest.strftime("%d/%m/%Y")})
    return day


def _clean_choice(value: Any, rules: dict[str, Any]) -> str:
    allowed = [option["value"] for option in rules.get("options", [])]
    if not isinstance(value, str) or value not in allowed:
        raise _FieldError(_("Lựa chọn không hợp lệ."))
    return value


def _clean_cccd(value: Any, rules: dict[str, Any]) -> str:
    text = re.sub(r"[\s.]", "", value) if isinstance(value, str) else ""
    if not _CCCD_RE.match(text):
        raise _FieldError(_("Số CCCD phải gồm đúng 12 chữ số."))
    if not 1 <= int(text[:3]) <= 96:
        raise _FieldError(_("Số CCCD không hợp lệ: ba chữ số đầu phải là mã tỉnh từ 001 đến 096."))
    return text


def _clean_address(value: Any, rules: dict[str, Any]) -> dict[str, str]:
    if not isinstance(value, dict):
        raise _FieldError(_("Địa chỉ phải gồm số nhà/đường, xã/phường và tỉnh/thành phố."))
    cleaned = {}
    for part in ADDRESS_PARTS:
        text = value.get(part)
        if not isinstance(text, str) or not text.strip():
            raise _FieldError(_("Địa chỉ phải gồm số nhà/đường, xã/phường và tỉnh/thành phố."))
        if len(text.strip()) > 255:
            raise _FieldError(_("Mỗi phần của địa chỉ không được quá 255 ký tự."))
        cleaned[part] = text.strip()
    return cleaned


_CLEANERS = {
    EFieldType.TEXT: _clean_text,
    EFieldType.NUMBER: _clean_number,
    EFieldType.DATE: _clean_date,
    EFieldType.CHOICE: _clean_choice,
    EFieldType.CCCD: _clean_cccd,
    EFieldType.ADDRESS: _clean_address,
}


def eform_validate(form_definition: list[dict[str, Any]], data: dict[str, Any]) -> dict[str, Any]:
    """Validate `data` against the form; return the cleaned values (only the form's fields; missing
    optional ones as None). Raises InvalidInput with details {"fields": {name: message}}."""
    if not isinstance(data, dict):
        raise InvalidInput(_("Dữ liệu biểu mẫu không hợp lệ."))
    cleaned: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for field in form_definition:
        name, kind = field["name"], EFieldType(field["type"])
        value = data.get(name)
        if _is_empty(value):
            if field.get("required"):
                errors[name] = _("“%(label)s” là bắt buộc.") % {"label": field["label"]}
            cleaned[name] = None
            continue
        try:
            cleaned[name] = _CLEANERS[kind](value, field.get("validation") or {})
        except _FieldError as exc:
            errors[name] = f"{field['label']}: {exc}"
    unknown = sorted(set(data) - {field["name"] for field in form_definition})
    if unknown:
        errors["__all__"] = _("Biểu mẫu không có các trường: %(names)s.") % {"names": ", ".join(unknown)}
    if errors:
        raise InvalidInput(_("Biểu mẫu có thông tin chưa hợp lệ."), details={"fields": errors})
    return cleaned
