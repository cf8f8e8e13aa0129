from django.apps import AppConfig
from django.db.models.signals import post_migrate


class PeopleConfig(AppConfig):
    name = "jineng.people"
    label = "people"
    verbose_name = "实名登记"

    def ready(self):
        from jineng.people.services import target_group_sync_presets

        post_migrate.connect(target_group_sync_presets, sender=self,
                             dispatch_uid="people_target_group_presets")
