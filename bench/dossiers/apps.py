from django.apps import AppConfig


class BenchDossiersConfig(AppConfig):
    name = "bench.dossiers"
    label = "sen_bench"  # "dossiers" is sen.dossiers' label
    default_auto_field = "django.db.models.BigAutoField"
