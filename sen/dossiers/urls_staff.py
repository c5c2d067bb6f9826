"""Staff pages under /dossiers/work/: the work queue, counter and postal intake, one dossier, its
actions (POST)."""

from django.urls import URLPattern, path

from sen.dossiers import views_staff

urlpatterns: list[URLPattern] = [
    path("", views_staff.work_queue, name="work_queue"),
    # before "<code>/": "intake" is not a dossier code
    path("intake/", views_staff.intake_start, name="intake_start"),
    path("intake/<str:procedure_code>/", views_staff.intake, name="intake"),
    path("<str:code>/", views_staff.work_dossier, name="work_dossier"),
    path("<str:code>/actions/<str:action>/", views_staff.work_action, name="work_action"),
]
