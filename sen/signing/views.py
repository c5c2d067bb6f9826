"""The public verify page: anyone uploads a PDF (or, once the dossiers app registers a lookup, enters a
dossier code) and sees each signature's signer, time, integrity, trust and later changes."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from sen.signing import lookup, validation
from sen.signing.forms import VerifyForm


@login_not_required
def verify(request: HttpRequest) -> HttpResponse:
    report = None
    with_code = lookup.available()
    if request.method == "POST":
        form = VerifyForm(request.POST, request.FILES, with_code=with_code)
        if form.is_valid():
            data = form.cleaned_data.get("file")
            if data is None and form.cleaned_data.get("code"):
                data = lookup.find(form.cleaned_data["code"].strip())
                if data is None:
                    form.add_error("code", _("Không tìm thấy hồ sơ có mã này."))
            if data is not None:
                report = validation.pdf_validate(data)
    else:
        form = VerifyForm(with_code=with_code)
    return render(request, "signing/verify.html", {"form": form, "report": report})
