from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "sen.portal"
    label = "portal"
    verbose_name = "Cổng thông tin"
