"""Pages for a dossier's e-result and its rating: thin views over sen.dossiers services/selectors.

- result_detail: the result (who signed, when, its SHA-256) with the download link, and the rating.
- result_download: the signed PDF — the applicant once the result is returned (10), staff who see the
  dossier from processed (9); anyone else gets 404.
- result_rate: the applicant's rating form (once, after state 10); anyone else gets 404.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from sen.core.exceptions import NotFound, SenError
from sen.dossiers import policies, selectors, services
from sen.dossiers.choices import DossierState, RatingLevel
from sen.dossiers.models import Dossier
from sen.identity.models import User


class RatingForm(forms.Form):
    level = forms.ChoiceField(
        label=gettext_lazy("Mức độ hài lòng của ông/bà"), choices=RatingLevel.choices, widget=forms.RadioSelect
    )
    comment = forms.CharField(
        label=gettext_lazy("Góp ý (không bắt buộc)"),
        required=False,
        max_length=services.MAX_RATING_COMMENT,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


def _user(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User):  # LoginRequiredMiddleware lets no anonymous visitor this far
        raise Http404(_("Không tìm thấy hồ sơ."))
    return user


def _dossier(request: HttpRequest, code: str) -> Dossier:
    try:
        return selectors.dossier_get(actor=request.user, code=code)
    except NotFound as exc:
        raise Http404(exc.message) from exc


def _may_rate_now(request: HttpRequest, dossier: Dossier, rating: Any) -> bool:
    return policies.can_rate(request.user, dossier) and dossier.state == DossierState.RETURNED and rating is None


@require_GET
def result_detail(request: HttpRequest, code: str) -> HttpResponse:
    dossier = _dossier(request, code)
    result = selectors.dossier_result(dossier)
    rating = selectors.dossier_rating(dossier)
    can_download = result is not None and policies.can_download_result(request.user, dossier)
    context = {
        "dossier": dossier,
        "state_label": DossierState(dossier.state).label,
        "result": result if can_download else None,
        "can_download": can_download,
        "is_applicant": policies.can_rate(request.user, dossier),
        "rating": rating,
        "rating_label": RatingLevel(rating.level).label if rating else "",
        "can_rate": _may_rate_now(request, dossier, rating),
    }
    return render(request, "dossiers/results/detail.html", context)


@require_GET
def result_download(request: HttpRequest, code: str) -> FileResponse:
    try:
        result = selectors.dossier_result_for_download(actor=request.user, code=code)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    response = FileResponse(
        result.file.open("rb"),
        content_type="application/pdf",
        as_attachment=True,
        filename=f"ket-qua-{code}.pdf",
    )
    response["Cache-Control"] = "private, no-store"
    return response


@require_http_methods(["GET", "POST"])
def result_rate(request: HttpRequest, code: str) -> HttpResponse:
    dossier = _dossier(request, code)
    if not policies.can_rate(request.user, dossier):
        raise Http404(_("Không tìm thấy hồ sơ."))
    rating = selectors.dossier_rating(dossier)
    form = RatingForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.dossier_rate(
                actor=_user(request),
                dossier=dossier,
                level=form.cleaned_data["level"],
                comment=form.cleaned_data["comment"],
            )
        except SenError as exc:
            form.add_error(None, exc.message)
            status = exc.status
        else:
            messages.success(request, _("Cảm ơn ông/bà đã đánh giá mức độ hài lòng."))
            return redirect("dossiers:result_detail", code=dossier.code)
    elif request.method == "POST":
        status = 400
    context = {
        "dossier": dossier,
        "form": form,
        "rating": rating,
        "rating_label": RatingLevel(rating.level).label if rating else "",
        "returned": dossier.state == DossierState.RETURNED,
        "can_rate": _may_rate_now(request, dossier, rating),
    }
    return render(request, "dossiers/results/rate.html", context, status=status)
