"""The one NinjaAPI. Each app contributes a Router; errors are mapped to JSON here, once."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from sen.core.api import router as core_router
from sen.core.exceptions import SenError
from sen.documents.api import router as documents_router
from sen.dossiers.api import router as dossiers_router
from sen.identity.api import router as identity_router
from sen.identity.api_auth import api_auth
from sen.integrations.api import router as integrations_router
from sen.procedures.api import router as procedures_router
from sen.signing.api import router as signing_router

api = NinjaAPI(
    title="Sen API",
    version="1",
    description="API của nền tảng chính quyền số Sen. Lỗi trả về JSON {code, message, details}.",
    urls_namespace="api",
    auth=api_auth,
)
api.add_router("/", core_router)
api.add_router("/", identity_router)
api.add_router("/", procedures_router)
api.add_router("/", dossiers_router)
api.add_router("/", signing_router)
api.add_router("/", documents_router)
api.add_router("/", integrations_router)


def error_response(request: HttpRequest, status: int, code: str, message: str, details: object = None) -> HttpResponse:
    return api.create_response(request, {"code": code, "message": message, "details": details}, status=status)


@api.exception_handler(SenError)
def on_sen_error(request: HttpRequest, exc: SenError) -> HttpResponse:
    return error_response(request, exc.status, exc.code, exc.message, exc.details)


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return error_response(request, 400, "invalid_input", "Dữ liệu gửi lên không hợp lệ.", exc.errors)


@api.exception_handler(AuthenticationError)
def on_auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return error_response(request, 401, "not_authenticated", "Bạn cần đăng nhập hoặc gửi mã truy cập hợp lệ.")


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return error_response(request, 404, "not_found", "Không tìm thấy.")


# ninja raises HttpError with English texts; the user gets a code and a Vietnamese message.
HTTP_ERROR_MESSAGES = {
    401: ("not_authenticated", "Bạn cần đăng nhập hoặc gửi mã truy cập hợp lệ."),
    403: ("permission_denied", "Bạn không có quyền thực hiện thao tác này."),
    404: ("not_found", "Không tìm thấy."),
    405: ("method_not_allowed", "Phương thức HTTP này không được hỗ trợ tại địa chỉ này."),
}


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if exc.status_code == 403 and "CSRF" in str(exc):
        message = "Thiếu hoặc sai mã CSRF: gửi tiêu đề X-CSRFToken khi ghi bằng phiên đăng nhập."
        return error_response(request, 403, "csrf_failed", message)
    code, message = HTTP_ERROR_MESSAGES.get(exc.status_code, ("http_error", "Yêu cầu không hợp lệ."))
    return error_response(request, exc.status_code, code, message, {"reason": str(exc)})


@api.exception_handler(RequestDataTooBig)
def on_too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    message = f"Yêu cầu quá lớn: tối đa {limit // (1024 * 1024)} MB mỗi lần gửi (kể cả tệp mã hóa base64)."
    return error_response(request, 413, "request_too_large", message, {"max_bytes": limit})


@api.exception_handler(Exception)
def on_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    # Logged with the request id; the user gets a message, never a stack trace.
    import logging

    logging.getLogger("sen.api").exception("Unhandled API error")
    return error_response(request, 500, "server_error", "Đã có lỗi ở máy chủ. Vui lòng thử lại sau.")
