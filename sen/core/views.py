from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET


@login_not_required
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when every part answers; 503 naming the failing part otherwise."""
    body = {"status": "ok", "database": "ok"}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        body.update(status="error", database="error")
        return JsonResponse(body, status=503)
    return JsonResponse(body)


@login_not_required
def api_not_found(request: HttpRequest) -> JsonResponse:
    """Unknown API URLs answer JSON like the rest of the API, not the HTML 404 page."""
    return JsonResponse(
        {"code": "not_found", "message": "Không tìm thấy địa chỉ API này.", "details": {"path": request.path}},
        status=404,
    )
