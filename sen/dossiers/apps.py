from django.apps import AppConfig


class DossiersConfig(AppConfig):
    name = "sen.dossiers"
    label = "dossiers"
    verbose_name = "Hồ sơ thủ tục hành chính"
