from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


@login_not_required
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/home.html")


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "errors/error.html", {"title": "Yêu cầu không hợp lệ"}, status=400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "errors/error.html", {"title": "Không có quyền truy cập"}, status=403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "errors/error.html", {"title": "Không tìm thấy trang"}, status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    return render(request, "errors/error.html", {"title": "Lỗi máy chủ"}, status=500)
