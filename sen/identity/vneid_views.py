"""“Đăng nhập bằng VNeID” pages. Thin: the flow lives in sen.identity.vneid. Any failure (provider
down, state mismatch, a bad token, no CCCD) returns to the login page with a Vietnamese message."""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, resolve_url
from django.views.decorators.http import require_GET

from sen.identity import vneid

log = logging.getLogger(__name__)


def _back_to_login(request: HttpRequest, error: vneid.VneidError) -> HttpResponse:
    messages.error(request, error.message)
    return redirect(settings.LOGIN_URL)


@login_not_required
@require_GET
def start(request: HttpRequest) -> HttpResponse:
    try:
        url = vneid.authorization_url(request, next_url=request.GET.get("next", ""))
    except vneid.VneidError as error:
        return _back_to_login(request, error)
    return HttpResponseRedirect(url)


@login_not_required
@require_GET
def callback(request: HttpRequest) -> HttpResponse:
    try:
        result = vneid.complete_login(request)
    except vneid.VneidError as error:
        return _back_to_login(request, error)
    except Exception:  # whatever a provider sends, the person gets the login page and a message
        log.exception("VNeID: unexpected failure on the callback")
        return _back_to_login(request, vneid.VneidError())
    login(request, result.user, backend=settings.AUTHENTICATION_BACKENDS[0])
    return redirect(result.next_url or resolve_url(settings.LOGIN_REDIRECT_URL))
