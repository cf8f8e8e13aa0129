from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "jineng.people"
    label = "people"
