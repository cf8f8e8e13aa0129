from django.apps import AppConfig
from django.db.models.signals import post_migrate


class OrgsConfig(AppConfig):
    name = "jineng.orgs"
    label = "orgs"
    verbose_name = "组织与用户"

    def ready(self):
        from jineng.orgs.roles import sync_builtin_roles
        from jineng.orgs.target_groups import target_group_sync_presets

        post_migrate.connect(sync_builtin_roles, sender=self)
        post_migrate.connect(target_group_sync_presets, sender=self,
                             dispatch_uid="orgs_target_group_presets")
