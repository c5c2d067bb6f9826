from django.urls import path

from sen.signing import views

app_name = "signing"

urlpatterns = [
    path("", views.verify, name="verify"),
]
