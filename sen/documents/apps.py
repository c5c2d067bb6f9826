from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "sen.documents"
    label = "documents"
    verbose_name = "Văn bản điện tử"
