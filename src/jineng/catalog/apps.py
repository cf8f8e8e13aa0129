from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "jineng.catalog"
    label = "catalog"
