from django.apps import AppConfig


class IdentityConfig(AppConfig):
    name = "sen.identity"
    label = "identity"
    verbose_name = "Tài khoản và phân quyền"

    def ready(self) -> None:
        from sen.identity import oidc_keys

        oidc_keys.install_signing_key()
