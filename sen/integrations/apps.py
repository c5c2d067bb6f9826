from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    name = "sen.integrations"
    label = "integrations"
    verbose_name = "Kết nối, liên thông"
