from django.urls import path

from bench.dossiers import views
from config.urls import urlpatterns as sen_urlpatterns

urlpatterns = [
    path("bench/json", views.bare_json),
    path("bench/insert", views.bare_insert),
    *sen_urlpatterns,
]
