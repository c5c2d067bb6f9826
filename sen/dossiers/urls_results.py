"""E-results and ratings (prefix /dossiers/results/)."""

from django.urls import URLPattern, path

from sen.dossiers import views_results

urlpatterns: list[URLPattern] = [
    path("<str:code>/", views_results.result_detail, name="result_detail"),
    path("<str:code>/result.pdf", views_results.result_download, name="result_download"),
    path("<str:code>/rate/", views_results.result_rate, name="result_rate"),
]
