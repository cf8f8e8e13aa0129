from django.core.management.base import BaseCommand, CommandError

from jineng.core.errors import ServiceError
from jineng.orgs.models import User
from jineng.orgs.services import token_create


class Command(BaseCommand):
    help = "为用户创建一个接口令牌并打印（只显示这一次）"

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="命令行创建")
        parser.add_argument("--days", type=int, default=None)

    def handle(self, *args, username, name, days, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"用户 {username} 不存在")
        # The command line is the operator's console: it acts as the system administrator.
        actor = User.objects.filter(roles__code="sysadmin", is_active=True).first()
        if actor is None:
            raise CommandError("没有可用的系统管理员账号，请先执行 jineng bootstrap_admin")
        try:
            _, raw = token_create(actor=actor, user=user, name=name, days=days)
        except ServiceError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(raw)
