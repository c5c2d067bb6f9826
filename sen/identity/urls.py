from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import path
from oauth2_provider.views import ConnectDiscoveryInfoView

app_name = "identity"

openid_configuration = login_not_required(ConnectDiscoveryInfoView.as_view())

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
]
