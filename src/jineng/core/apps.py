from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "jineng.core"
    label = "core"
    verbose_name = "核心"
