"""The citizen's dossier pages, under /dossiers/ (namespace "dossiers", names prefixed "citizen_").

A dossier code is `{agency code}-{yymmdd}-{NNNN}`: the patterns below only match that shape, so they
never shadow the other audiences' prefixes (work/, forms/, results/) included after this module."""

from django.urls import URLPattern, path, re_path

from sen.dossiers import views_citizen

CODE = r"(?P<code>[^/]+-[0-9]{6}-[0-9]{4,})"

urlpatterns: list[URLPattern] = [
    path("", views_citizen.dossier_list, name="citizen_list"),
    path("track/", views_citizen.dossier_track, name="citizen_track"),
    path("submit/<str:procedure_code>/", views_citizen.dossier_submit, name="citizen_submit"),
    re_path(rf"^{CODE}/$", views_citizen.dossier_detail, name="citizen_detail"),
    re_path(rf"^{CODE}/files/(?P<file_id>[0-9]+)/$", views_citizen.dossier_file, name="citizen_file"),
    re_path(rf"^{CODE}/withdraw/$", views_citizen.dossier_withdraw, name="citizen_withdraw"),
]
