"""Account pages: login (with the TOTP second step), registration, two-factor setup, "my details".

Two-factor design: after a correct password, a person with a confirmed TOTP device is NOT logged in.
The session only remembers a short-lived "pending login" (user id, backend, where to go next); the
code page finishes the login. Likewise a staff member whose role requires 2FA but who has no
device yet is only allowed onto the setup page, still not logged in, and is logged in when the
device is confirmed. So nothing behind LoginRequiredMiddleware is reachable before the second
factor, with no extra middleware.
"""

from __future__ import annotations

import base64
import time
from typing import Any

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from sen.core.exceptions import SenError
from sen.identity import policies, selectors, services
from sen.identity.forms import BusinessRegisterForm, CitizenRegisterForm, SenLoginForm, TokenForm
from sen.identity.models import User

PENDING_KEY = "sen_pending_login"
PENDING_SECONDS = {"otp": 5 * 60, "setup": 15 * 60}
LOGIN_BACKEND = "sen.identity.backends.SenLoginBackend"


# --- Pending (half-finished) logins --------------------------------------------------------------


def _set_pending(request: HttpRequest, user: User, *, stage: str, next_url: str) -> None:
    request.session[PENDING_KEY] = {
        "user_id": user.pk,
        "backend": getattr(user, "backend", LOGIN_BACKEND),
        "stage": stage,
        "next": next_url,
        "at": time.time(),
    }


def _pending(request: HttpRequest, stage: str) -> tuple[User, dict[str, Any]] | None:
    data = request.session.get(PENDING_KEY)
    if not data or data.get("stage") != stage or time.time() - data.get("at", 0) > PENDING_SECONDS[stage]:
        return None
    user = User.objects.filter(pk=data["user_id"], is_active=True).first()
    return (user, data) if user is not None else None


def _finish_login(request: HttpRequest, user: User, backend: str, device: TOTPDevice | None) -> None:
    request.session.pop(PENDING_KEY, None)
    auth_login(request, user, backend=backend)
    if device is not None:
        otp_login(request, device)


def vneid_login_url() -> str | None:
    """The "Đăng nhập bằng VNeID" link, when a provider is configured and its pages are installed."""
    if not settings.VNEID_DISCOVERY_URL:
        return None
    try:
        return reverse("oidc_login:start")
    except NoReverseMatch:
        return None


# --- Login ---------------------------------------------------------------------------------------


class SenLoginView(LoginView):
    form_class = SenLoginForm
    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["vneid_url"] = vneid_login_url()
        return context

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        user = form.get_user()
        next_url = self.get_success_url()
        if selectors.has_confirmed_totp(user):
            _set_pending(self.request, user, stage="otp", next_url=next_url)
            return redirect("identity:login_otp")
        if policies.second_factor_required(user):
            _set_pending(self.request, user, stage="setup", next_url=next_url)
            messages.warning(
                self.request, _("Vai trò của bạn bắt buộc xác thực hai lớp. Vui lòng thiết lập để tiếp tục.")
            )
            return redirect("identity:totp_setup")
        auth_login(self.request, user)
        return HttpResponseRedirect(next_url)


@login_not_required
@sensitive_post_parameters("token")
@never_cache
def login_otp(request: HttpRequest) -> HttpResponse:
    """Second login step: the code from the person's authenticator app."""
    pending = _pending(request, "otp")
    if pending is None:
        request.session.pop(PENDING_KEY, None)
        messages.info(request, _("Phiên đăng nhập đã hết hạn. Vui lòng đăng nhập lại."))
        return redirect("identity:login")
    user, data = pending
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = services.totp_verify(user=user, token=form.cleaned_data["token"])
        except services.AccountLocked:
            request.session.pop(PENDING_KEY, None)
            messages.error(
                request,
                _("Tài khoản tạm thời bị khoá do nhập sai quá nhiều lần. Vui lòng thử lại sau %(minutes)d phút.")
                % {"minutes": settings.SEN_LOGIN_LOCKOUT_MINUTES},
            )
            return redirect("identity:login")
        except SenError as exc:
            form.add_error("token", exc.message)
        else:
            _finish_login(request, user, data["backend"], device)
            return HttpResponseRedirect(data["next"])
    return render(request, "identity/login_otp.html", {"form": form})


# --- Two-factor setup ----------------------------------------------------------------------------


def _qr_svg(data: str) -> SafeString:
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    svg = image.to_string(encoding="unicode")
    # Generated here from our own otpauth:// URL, not from user input.
    return mark_safe(svg)  # noqa: S308


def _grouped(secret: str) -> str:
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@login_not_required
@sensitive_post_parameters("token")
@never_cache
def totp_setup(request: HttpRequest) -> HttpResponse:
    """Set up TOTP: scan the QR code (or type the secret), then confirm with a code. Reached by a
    logged-in staff member, or by one whose role requires 2FA in the middle of logging in."""
    pending = None
    if request.user.is_authenticated:
        user = request.user
    else:
        pending = _pending(request, "setup")
        if pending is None:
            return redirect(f"{reverse('identity:login')}?next={reverse('identity:totp_setup')}")
        user = pending[0]
    if not policies.may_use_totp(user):
        raise Http404
    device = services.totp_device_start(actor=user)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = services.totp_device_confirm(actor=user, device=device, token=form.cleaned_data["token"])
        except SenError as exc:
            form.add_error("token", exc.message)
        else:
            messages.success(request, _("Đã bật xác thực hai lớp. Từ nay, khi đăng nhập bạn cần nhập mã từ ứng dụng."))
            if pending is not None:
                _finish_login(request, user, pending[1]["backend"], device)
                return HttpResponseRedirect(pending[1]["next"])
            otp_login(request, device)
            return redirect("identity:me")
    secret = base64.b32encode(device.bin_key).decode()
    context = {
        "form": form,
        "qr_svg": _qr_svg(device.config_url),
        "secret": _grouped(secret),
        "has_totp": selectors.has_confirmed_totp(user),
        "forced": pending is not None,
    }
    return render(request, "identity/totp_setup.html", context)


# --- Registration --------------------------------------------------------------------------------


def _register(
    request: HttpRequest, form_class: type[CitizenRegisterForm | BusinessRegisterForm], kind: str
) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("portal:home")
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if kind == "citizen":
                user = services.citizen_register(
                    national_id=data["national_id"],
                    full_name=data["full_name"],
                    phone=data["phone"],
                    email=data["email"],
                    password=data["password1"],
                )
            else:
                user = services.business_register(
                    tax_code=data["tax_code"],
                    full_name=data["full_name"],
                    phone=data["phone"],
                    email=data["email"],
                    password=data["password1"],
                )
        except SenError as exc:
            form.add_service_error(exc)
        else:
            auth_login(request, user, backend=LOGIN_BACKEND)
            messages.success(
                request,
                format_html(
                    _("Đăng ký thành công. Chào mừng {}! Từ nay bạn đăng nhập bằng {}."), user.full_name, user.username
                ),
            )
            return redirect("portal:home")
    return render(request, "identity/register.html", {"form": form, "kind": kind})


@login_not_required
@sensitive_post_parameters("password1", "password2")
def register(request: HttpRequest) -> HttpResponse:
    """Citizens register with their CCCD."""
    return _register(request, CitizenRegisterForm, "citizen")


@login_not_required
@sensitive_post_parameters("password1", "password2")
def register_business(request: HttpRequest) -> HttpResponse:
    """Businesses and organisations register with their tax code."""
    return _register(request, BusinessRegisterForm, "business")


# --- My details ----------------------------------------------------------------------------------


def me(request: HttpRequest) -> HttpResponse:
    """ "Thông tin của tôi": who I am, my unit and post, my roles and where, my posts over time."""
    assert isinstance(request.user, User)
    profile = selectors.profile_of(request.user)
    context = {
        "profile": profile,
        "can_setup_totp": policies.may_use_totp(request.user),
    }
    return render(request, "identity/me.html", context)
