"""The official forms (Circular 01/2018/TT-VPCP) of a dossier as PDF: GET /dossiers/forms/<code>/<01..05>.pdf.

The applicant downloads forms 01–04 of their own dossier; staff who can see the dossier any form. Anyone
else, a missing dossier, and a form that does not exist for the dossier yet all answer 404 with a
Vietnamese message page."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from sen.core.exceptions import NotFound
from sen.dossiers import official_forms, selectors


def _not_found(request: HttpRequest, message: str) -> HttpResponse:
    context = {"status": 404, "title": _("Không tìm thấy phiếu"), "message": message}
    return render(request, "errors/error.html", context, status=404)


@require_GET
def form_pdf(request: HttpRequest, code: str, number: str) -> HttpResponse:
    try:
        dossier = selectors.dossier_get(actor=request.user, code=code)
        if not official_forms.may_download(request.user, dossier, number):
            raise NotFound(_("Không tìm thấy hồ sơ có mã %(code)s.") % {"code": code}, code="dossier_not_found")
        pdf = official_forms.form_pdf(dossier, number)
    except NotFound as error:
        return _not_found(request, error.message)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{official_forms.form_filename(dossier, number)}"'
    response["Cache-Control"] = "private, no-store"
    return response
