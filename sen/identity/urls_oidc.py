"""OpenID Connect relying-party pages ("Đăng nhập bằng VNeID")."""

app_name = "oidc_login"

urlpatterns: list = []
