from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "jineng.api"
    label = "api"
