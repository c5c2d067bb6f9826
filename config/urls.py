from django.contrib import admin
from django.urls import include, path, re_path
from oauth2_provider import urls as oauth2_urls

from config.api import api
from sen.core import views as core_views
from sen.identity import oidc_provider
from sen.portal import views as portal_views

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("api/v1/", api.urls),
    re_path(r"^api/", core_views.api_not_found),
    # Open to visitors too (Django's own view sits behind the login requirement).
    path("i18n/setlang/", portal_views.set_language, name="set_language"),
    # Only the protocol endpoints: DOT's application-management pages would let any logged-in person
    # register an OAuth client and phish consent. Relying parties are registered by `manage.py oidc_client`.
    path(
        "o/",
        include(
            (oauth2_urls.base_urlpatterns + oauth2_urls.oidc_urlpatterns, "oauth2_provider"),
            namespace="oauth2_provider",
        ),
    ),
    path(".well-known/openid-configuration", oidc_provider.openid_configuration, name="openid-configuration"),
    path("admin/", admin.site.urls),
    path("accounts/", include("sen.identity.urls")),
    path("accounts/vneid/", include("sen.identity.urls_oidc")),
    path("procedures/", include("sen.procedures.urls")),
    path("dossiers/", include("sen.dossiers.urls")),
    path("documents/", include("sen.documents.urls")),
    path("verify/", include("sen.signing.urls")),
    path("", include("sen.portal.urls")),
]

handler400 = "sen.portal.views.bad_request"
handler403 = "sen.portal.views.permission_denied"
handler404 = "sen.portal.views.page_not_found"
handler500 = "sen.portal.views.server_error"
