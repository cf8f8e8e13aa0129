from django.apps import AppConfig


class TrainingConfig(AppConfig):
    name = "jineng.training"
    label = "training"
