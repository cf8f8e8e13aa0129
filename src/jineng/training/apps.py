from django.apps import AppConfig


class TrainingConfig(AppConfig):
    name = "jineng.training"
    label = "training"

    def ready(self):
        from jineng.training.completion import register_archive
        from jineng.training.reviews import register_reviews

        register_reviews()
        register_archive()  # the lifelong archive's 结业记录
