from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "jineng.portal"
    label = "portal"
