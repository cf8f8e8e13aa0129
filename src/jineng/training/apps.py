from django.apps import AppConfig


class TrainingConfig(AppConfig):
    name = "jineng.training"
    label = "training"

    def ready(self):
        from jineng.training import completion, enrolment, wishes
        from jineng.training.reviews import register_reviews

        register_reviews()
        # the worker's lifelong archive: enrolments, completions, wishes and notices
        enrolment.register_archive()
        completion.register_archive()
        wishes.register_archive_sections()
