from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import path
from oauth2_provider.views import ConnectDiscoveryInfoView

from sen.identity import views

app_name = "identity"

openid_configuration = login_not_required(ConnectDiscoveryInfoView.as_view())

urlpatterns = [
    path("login/", views.SenLoginView.as_view(), name="login"),
    path("login/otp/", views.login_otp, name="login_otp"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("register/", views.register, name="register"),
    path("register/business/", views.register_business, name="register_business"),
    path("me/", views.me, name="me"),
    path("2fa/", views.totp_setup, name="totp_setup"),
]
