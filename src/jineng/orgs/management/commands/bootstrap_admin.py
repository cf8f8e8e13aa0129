import secrets
import string

from django.core.management.base import BaseCommand

from jineng.orgs.demo import bootstrap_sysadmin


class Command(BaseCommand):
    help = "创建第一个系统管理员 sysadmin（已存在则不变），打印一次性初始密码"

    def handle(self, *args, **options):
        alphabet = string.ascii_letters + string.digits
        password = "".join(secrets.choice(alphabet) for _ in range(14)) + "@9aA"
        user, created = bootstrap_sysadmin(password)
        if created:
            self.stdout.write(f"已创建 sysadmin，初始密码：{password}（首次登录须修改）")
        else:
            self.stdout.write("sysadmin 已存在，未做改动")
