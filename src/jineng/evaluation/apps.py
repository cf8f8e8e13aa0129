from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    name = "jineng.evaluation"
    label = "evaluation"
    verbose_name = "评价与证书"

    def ready(self):
        from jineng.evaluation.reviews import register_reviews

        register_reviews()
