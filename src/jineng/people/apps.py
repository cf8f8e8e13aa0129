from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "jineng.people"
    label = "people"
    verbose_name = "实名登记"
