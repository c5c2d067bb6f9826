from django.contrib import admin
from django.urls import include, path, re_path

from config.api import api
from sen.core import views as core_views
from sen.identity import urls as identity_urls

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("api/v1/", api.urls),
    re_path(r"^api/", core_views.api_not_found),
    path("i18n/", include("django.conf.urls.i18n")),
    path("o/", include("oauth2_provider.urls", namespace="oauth2_provider")),
    path(".well-known/openid-configuration", identity_urls.openid_configuration, name="openid-configuration"),
    path("admin/", admin.site.urls),
    path("accounts/", include("sen.identity.urls")),
    path("accounts/vneid/", include("sen.identity.urls_oidc")),
    path("", include("sen.portal.urls")),
]

handler400 = "sen.portal.views.bad_request"
handler403 = "sen.portal.views.permission_denied"
handler404 = "sen.portal.views.page_not_found"
handler500 = "sen.portal.views.server_error"
