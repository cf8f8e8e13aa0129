from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.module_loading import autodiscover_modules


class CoreConfig(AppConfig):
    name = "jineng.core"
    label = "core"
    verbose_name = "核心"

    def ready(self):
        from jineng.core.review import review_chain_install_defaults

        # Each app's audit action types (<app>/events.py), so the audit page knows them all.
        autodiscover_modules("events")
        # The default review chains of the kinds the apps register in their ready().
        post_migrate.connect(review_chain_install_defaults, sender=self,
                             dispatch_uid="core_review_chain_defaults")
