"""Staff pages under /dossiers/work/: the work queue, one dossier, its actions (POST)."""

from django.urls import URLPattern, path

from sen.dossiers import views_staff

urlpatterns: list[URLPattern] = [
    path("", views_staff.work_queue, name="work_queue"),
    path("<str:code>/", views_staff.work_dossier, name="work_dossier"),
    path("<str:code>/actions/<str:action>/", views_staff.work_action, name="work_action"),
]
