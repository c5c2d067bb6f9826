from django.apps import AppConfig


class SigningConfig(AppConfig):
    name = "sen.signing"
    label = "signing"
    verbose_name = "Chữ ký số"
