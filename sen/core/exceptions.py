"""One error hierarchy for every app. Each interface maps it once: the API to a JSON body
`{"code", "message", "details"}` with the status below, a page to a form error or message."""

from __future__ import annotations

from typing import Any


class SenError(Exception):
    code = "error"
    status = 400
    default_message = "Yêu cầu không hợp lệ."

    def __init__(self, message: str | None = None, *, details: Any = None, code: str | None = None):
        self.message = message or self.default_message
        self.details = details
        if code:
            self.code = code
        super().__init__(self.message)


class InvalidInput(SenError):
    code = "invalid_input"
    status = 400
    default_message = "Dữ liệu không hợp lệ."


class NotAuthenticated(SenError):
    code = "not_authenticated"
    status = 401
    default_message = "Bạn cần đăng nhập."


class PermissionDenied(SenError):
    code = "permission_denied"
    status = 403
    default_message = "Bạn không có quyền thực hiện thao tác này."


class NotFound(SenError):
    code = "not_found"
    status = 404
    default_message = "Không tìm thấy."


class Conflict(SenError):
    code = "conflict"
    status = 409
    default_message = "Thao tác xung đột với trạng thái hiện tại."
