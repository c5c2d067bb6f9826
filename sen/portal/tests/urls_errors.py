"""The project's URLs plus views that fail on purpose, to see the error pages the handlers render."""

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.urls import path

from config.urls import urlpatterns as project_urlpatterns


@login_not_required
def raise_suspicious(request):
    raise SuspiciousOperation("test")


@login_not_required
def raise_forbidden(request):
    raise PermissionDenied


@login_not_required
def raise_crash(request):
    raise RuntimeError("test crash")


urlpatterns = [
    path("test-errors/400/", raise_suspicious),
    path("test-errors/403/", raise_forbidden),
    path("test-errors/500/", raise_crash),
    *project_urlpatterns,
]

handler400 = "sen.portal.views.bad_request"
handler403 = "sen.portal.views.permission_denied"
handler404 = "sen.portal.views.page_not_found"
handler500 = "sen.portal.views.server_error"
