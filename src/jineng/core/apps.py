from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class CoreConfig(AppConfig):
    name = "jineng.core"
    label = "core"
    verbose_name = "核心"

    def ready(self):
        # Each app's audit action types (<app>/events.py), so the audit page knows them all.
        autodiscover_modules("events")
