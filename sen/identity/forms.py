"""Forms parse and show inline errors; the rules live in sen.identity.services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import authenticate
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from sen.core.exceptions import SenError
from sen.identity import services


class SenLoginForm(AuthenticationForm):
    """`username`: official e-mail (staff), 12-digit CCCD (citizens) or tax code (businesses)."""

    username = forms.CharField(
        label=_("Thư điện tử công vụ, số CCCD hoặc mã số thuế"),
        max_length=150,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username", "autocapitalize": "none"}),
    )
    password = forms.CharField(
        label=_("Mật khẩu"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )

    error_messages = {
        # One message for an unknown login and a wrong password: no one learns which accounts exist.
        "invalid_login": _("Tên đăng nhập hoặc mật khẩu không đúng. Vui lòng kiểm tra và thử lại."),
        "inactive": _("Tài khoản này đã bị vô hiệu hoá. Vui lòng liên hệ quản trị viên."),
        "locked": _("Tài khoản tạm thời bị khoá do đăng nhập sai quá nhiều lần. Vui lòng thử lại sau %(time)s."),
    }

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username and password:
            self.user_cache = authenticate(self.request, username=username, password=password)
            if self.user_cache is None:
                locked_until = services.login_locked_until(username)
                if locked_until is not None:
                    raise ValidationError(
                        self.error_messages["locked"],
                        code="locked",
                        params={"time": formats.time_format(timezone.localtime(locked_until), "H:i")},
                    )
                raise self.get_invalid_login_error()
            self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data


class TokenForm(forms.Form):
    token = forms.CharField(
        label=_("Mã xác thực (6 chữ số trong ứng dụng)"),
        max_length=10,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9 ]*", "autofocus": True}
        ),
    )


class _RegisterForm(forms.Form):
    """Shared fields; the service validates and normalises, its errors come back inline."""

    full_name = forms.CharField(label=_("Họ và tên"), max_length=255)
    phone = forms.CharField(
        label=_("Số điện thoại di động"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
        help_text=_("10 chữ số, ví dụ 0912345678."),
    )
    email = forms.EmailField(
        label=_("Thư điện tử"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={"invalid": _("Địa chỉ thư điện tử không hợp lệ.")},
    )
    password1 = forms.CharField(
        label=_("Mật khẩu"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Ít nhất 8 ký tự, không quá giống thông tin cá nhân, không toàn chữ số."),
    )
    password2 = forms.CharField(
        label=_("Nhập lại mật khẩu"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    # Where a service error for a field is shown on this form.
    field_for_error = {"password": "password1"}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("password1") and cleaned.get("password2") and cleaned["password1"] != cleaned["password2"]:
            self.add_error("password2", _("Hai mật khẩu không khớp nhau."))
        return cleaned

    def add_service_error(self, error: SenError) -> None:
        """Show a service's error beside the field it is about, else at the top of the form."""
        details = error.details if isinstance(error.details, dict) else {}
        placed = False
        for field, messages in details.items():
            name = self.field_for_error.get(field, field)
            if name in self.fields:
                for message in messages:
                    self.add_error(name, message)
                placed = True
        if not placed:
            self.add_error(None, error.message)


class CitizenRegisterForm(_RegisterForm):
    national_id = forms.CharField(
        label=_("Số định danh cá nhân (CCCD)"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        help_text=_("12 chữ số trên căn cước công dân; dùng để đăng nhập."),
    )
    field_order = ["national_id", "full_name", "phone", "email", "password1", "password2"]


class BusinessRegisterForm(_RegisterForm):
    tax_code = forms.CharField(
        label=_("Mã số thuế"),
        max_length=20,
        help_text=_("10 chữ số, hoặc 13 chữ số cho chi nhánh (0312345678-001); dùng để đăng nhập."),
    )
    field_order = ["tax_code", "full_name", "phone", "email", "password1", "password2"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["full_name"].label = _("Tên doanh nghiệp, tổ chức")
