from django.apps import AppConfig


class TrainingConfig(AppConfig):
    name = "jineng.training"
    label = "training"

    def ready(self):
        from jineng.training.reviews import register_reviews

        register_reviews()
        __import__("jineng.training.wishes").training.wishes.register_archive_sections()
