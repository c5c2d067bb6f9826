"""OpenID Connect relying-party pages ("Đăng nhập bằng VNeID"): /accounts/vneid/start/ and /callback/."""

from django.urls import path

from sen.identity import vneid_views

app_name = "oidc_login"

urlpatterns = [
    path("start/", vneid_views.start, name="start"),
    path("callback/", vneid_views.callback, name="callback"),
]
