from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    name = "jineng.evaluation"
    label = "evaluation"
    verbose_name = "评价与证书"

    def ready(self):
        from jineng.evaluation.reviews import register_reviews
        from jineng.evaluation.selectors import register_archive

        register_reviews()
        # the worker's lifelong archive: evaluations sat and certificates held
        register_archive()
