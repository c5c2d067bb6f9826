from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "sen.core"
    label = "core"
    verbose_name = "Nền tảng chung"
