from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase

from sen.core import request_context


def client_ip(request: HttpRequest) -> str:
    """The client's address. X-Forwarded-For is believed only when the request comes from one of
    settings.SEN_TRUSTED_PROXIES (anyone can send the header); then the nearest address that is not
    itself a trusted proxy is the client."""
    remote = request.META.get("REMOTE_ADDR", "")
    trusted = set(settings.SEN_TRUSTED_PROXIES)
    if remote not in trusted:
        return remote
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    for hop in reversed(hops):
        if hop not in trusted:
            return hop
    return remote


class RequestContextMiddleware:
    """Gives each request an id (kept from X-Request-ID when a proxy sets one) for the audit trail."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.META.get("HTTP_X_REQUEST_ID", "")
        request_id = incoming[:64] if incoming else uuid.uuid4().hex
        context = request_context.RequestContext(
            request_id=request_id,
            ip=client_ip(request),
            user_agent=request.META.get("HTTP_USER_AGENT", "")[:400],
        )
        token = request_context.set_current(context)
        try:
            response = self.get_response(request)
        finally:
            request_context.reset(token)
        response["X-Request-ID"] = request_id
        return response


class SenLoginRequiredMiddleware(LoginRequiredMiddleware):
    """Django's login-required default for pages, minus the paths that authenticate on their own:
    the JSON API answers 401 JSON, OAuth2/OIDC endpoints follow their protocol."""

    def process_view(
        self, request: HttpRequest, view_func: Callable[..., Any], view_args: Any, view_kwargs: Any
    ) -> HttpResponseBase | None:
        if request.path_info.startswith(tuple(settings.SEN_LOGIN_EXEMPT_PREFIXES)):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)


class ApiMethodNotAllowedMiddleware:
    """ninja answers a wrong HTTP method with a bare text 405; the API promises JSON errors."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code == 405
            and request.path_info.startswith("/api/")
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            allowed = response.get("Allow", "")
            json_response = JsonResponse(
                {
                    "code": "method_not_allowed",
                    "message": "Phương thức HTTP này không được hỗ trợ tại địa chỉ này.",
                    "details": {"allowed": [m.strip() for m in allowed.split(",") if m.strip()]},
                },
                status=405,
            )
            if allowed:
                json_response["Allow"] = allowed
            return json_response
        return response
