from django.apps import AppConfig


class TrainingConfig(AppConfig):
    name = "jineng.training"
    label = "training"

    def ready(self):
        from jineng.training import enrolment, wishes
        from jineng.training.reviews import register_reviews

        register_reviews()
        enrolment.register_archive()
        wishes.register_archive_sections()
