"""Dossier pages, one URL module per audience so that each stays small: staff work queues and actions,
the citizen's submission and tracking pages, the official forms (PDF), e-results and ratings."""

from django.urls import URLPattern, URLResolver, include, path

app_name = "dossiers"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", include("sen.dossiers.urls_citizen")),
    path("work/", include("sen.dossiers.urls_staff")),
    path("forms/", include("sen.dossiers.urls_forms")),
    path("results/", include("sen.dossiers.urls_results")),
]
