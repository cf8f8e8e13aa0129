from django.core.management.base import BaseCommand, CommandError

from jineng.core.actors import system_actor
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
        try:
            _, raw = token_create(actor=system_actor("create_token"), user=user, name=name,
                                  days=days)
        except ServiceError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(raw)
