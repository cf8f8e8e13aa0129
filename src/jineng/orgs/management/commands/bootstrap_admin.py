import secrets
import string

from django.core.management.base import BaseCommand, CommandError

from jineng.core.actors import system_actor
from jineng.core.errors import ServiceError
from jineng.orgs import services
from jineng.orgs.roles import THREE_ADMIN_ROLES

ROLE_NAMES = {"sysadmin": "系统管理员", "secadmin": "安全管理员", "auditadmin": "审计管理员"}


class Command(BaseCommand):
    help = (
        "创建三员账号（默认：第一个系统管理员 sysadmin；已存在则不变），打印一次性初始密码。"
        "三员分立：安全管理员、审计管理员只能用此命令创建"
    )

    def add_arguments(self, parser):
        parser.add_argument("--role", choices=sorted(THREE_ADMIN_ROLES), default="sysadmin")
        parser.add_argument("--username", help="账号名（默认与角色编码相同）")

    def handle(self, *args, role, username=None, **options):
        username = username or role
        alphabet = string.ascii_letters + string.digits
        password = "".join(secrets.choice(alphabet) for _ in range(14)) + "@9aA"
        try:
            user, created = services.user_bootstrap(
                actor=system_actor("bootstrap_admin"), username=username, role_code=role,
                password=password, full_name=ROLE_NAMES[role],
            )
        except ServiceError as exc:
            raise CommandError(exc.message) from None
        if created:
            self.stdout.write(
                f"已创建{ROLE_NAMES[role]} {username}，初始密码：{password}（首次登录须修改）"
            )
        else:
            self.stdout.write(f"{username} 已存在，未做改动")
