"""Documents pages under /documents/."""

from django.urls import URLPattern, path

from sen.documents import views

app_name = "documents"

urlpatterns: list[URLPattern] = [
    path("", views.home, name="home"),
    path("counts/", views.home_counts, name="home_counts"),
    path("outgoing/new/", views.outgoing_new, name="outgoing_new"),
    path("outgoing/<int:pk>/", views.outgoing_detail, name="outgoing"),
    path("outgoing/<int:pk>/edit/", views.outgoing_edit, name="outgoing_edit"),
    path("outgoing/<int:pk>/actions/<str:action>/", views.outgoing_action, name="outgoing_action"),
    path("incoming/paper/", views.incoming_paper, name="incoming_paper"),
    path("incoming/<int:pk>/", views.incoming_detail, name="incoming"),
    path("incoming/<int:pk>/actions/<str:action>/", views.incoming_action, name="incoming_action"),
    path("incoming/<int:pk>/file/", views.incoming_file, name="incoming_file"),
    path("files/<int:pk>/", views.document_file, name="file"),
    path("registers/", views.register_list, name="registers"),
    path("registers/<int:pk>/", views.register_detail, name="register"),
    path("registers/<int:pk>/<str:export>/", views.register_detail, name="register_export"),
    path("case-files/", views.case_file_list, name="case_files"),
    path("case-files/<int:pk>/", views.case_file_detail, name="case_file"),
    path("case-files/<int:pk>/close/", views.case_file_close, name="case_file_close"),
    path("participation/", views.participation, name="participation"),
]
