from importlib import import_module

from django.apps import apps
from django.core.management.base import BaseCommand
from django.utils.module_loading import module_has_submodule

from jineng.core.actors import system_actor
from jineng.orgs import demo as orgs_demo


class Command(BaseCommand):
    help = (
        "载入演示数据（可重复执行）：区划、责任单位、机构、各内置角色的演示账号，"
        "以及各业务模块的演示数据"
    )

    def handle(self, *args, **options):
        actor = system_actor("loaddemo")
        orgs_demo.load(actor=actor, stdout=self.stdout)
        for config in apps.get_app_configs():
            if config.name == "jineng.orgs" or not config.name.startswith("jineng."):
                continue
            if module_has_submodule(config.module, "demo"):
                import_module(f"{config.name}.demo").load(actor=actor, stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS(
            f"演示数据已就绪。演示账号（密码均为 {orgs_demo.DEMO_PASSWORD}）："
        ))
        for username, _role, _region, full_name, _ in orgs_demo.ACCOUNTS:
            self.stdout.write(f"  {username:<18} {full_name}")
