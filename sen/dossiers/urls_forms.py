"""The official forms of a dossier as PDF (prefix /dossiers/forms/): names form_01 … form_05,
reversed with the dossier code, e.g. reverse("dossiers:form_01", args=[dossier.code])."""

from django.urls import URLPattern, path

from sen.dossiers import views_forms
from sen.dossiers.official_forms import FORMS

urlpatterns: list[URLPattern] = [
    path(f"<str:code>/{number}.pdf", views_forms.form_pdf, {"number": number}, name=f"form_{number}")
    for number in FORMS
]
