"""The portal's own pages: the home page and the error pages (400, 403, 404, 500, CSRF failure)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.utils.translation import gettext as _
from django.views import i18n

from sen.identity.models import User
from sen.identity.policies import current_employment


@login_not_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    unit_name = ""
    if isinstance(user, User) and user.is_authenticated and user.kind == User.Kind.STAFF:
        employment = current_employment(user)
        unit_name = employment.unit.name if employment else ""
    is_staff_member = isinstance(user, User) and user.kind == User.Kind.STAFF
    return render(request, "portal/home.html", {"unit_name": unit_name, "is_staff_member": is_staff_member})


@login_not_required
def set_language(request: HttpRequest) -> HttpResponse:
    """Django's set_language, open to visitors who have not logged in (LoginRequiredMiddleware is on).
    Route it in config/urls.py as path("i18n/setlang/", ..., name="set_language")."""
    return i18n.set_language(request)


def _error_page(request: HttpRequest, status: int, title: str, message: str) -> HttpResponse:
    return render(request, "errors/error.html", {"status": status, "title": title, "message": message}, status=status)


@login_not_required
def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error_page(
        request, 400, _("Yêu cầu không hợp lệ"), _("Máy chủ không hiểu yêu cầu này. Vui lòng kiểm tra lại và thử lại.")
    )


@login_not_required
def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error_page(
        request,
        403,
        _("Không có quyền truy cập"),
        _("Tài khoản của bạn không được phép xem trang này. Nếu cần quyền, hãy liên hệ quản trị viên của đơn vị."),
    )


@login_not_required
def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error_page(
        request,
        404,
        _("Không tìm thấy trang"),
        _("Trang bạn tìm không có hoặc đã được chuyển đi. Vui lòng kiểm tra lại địa chỉ."),
    )


@login_not_required
def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """For settings.CSRF_FAILURE_VIEW: an expired form, explained in plain words."""
    return _error_page(
        request,
        403,
        _("Phiên làm việc đã hết hạn"),
        _("Biểu mẫu đã quá hạn hoặc trình duyệt chặn cookie. Vui lòng tải lại trang rồi gửi lại."),
    )


@login_not_required
def server_error(request: HttpRequest) -> HttpResponse:
    """A standalone page: no database, no user, no context processors — whatever failed may be one of them."""
    page = loader.get_template("errors/500.html").render({"province_name": settings.SEN_PROVINCE_NAME})
    return HttpResponseServerError(page)
