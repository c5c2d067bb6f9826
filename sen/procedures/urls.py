from django.urls import path

from sen.procedures import views

app_name = "procedures"

urlpatterns = [
    path("", views.procedure_list, name="list"),
    path("forms/<int:form_id>/<str:filename>", views.form_download, name="form_download"),
    path("<str:code>/", views.procedure_detail, name="detail"),
]
