from django.core.management.base import BaseCommand, CommandError

from jineng.core.audit import verify_chain
from jineng.core.models import AuditEvent


class Command(BaseCommand):
    help = "逐条校验审计事件的哈希链，指出第一条被篡改或删除的事件"

    def handle(self, *args, **options):
        problem = verify_chain()
        if problem:
            raise CommandError(f"审计链校验失败：{problem.message}")
        count = AuditEvent.objects.count()
        self.stdout.write(f"审计链完整：共 {count} 条事件，逐条校验通过。")
