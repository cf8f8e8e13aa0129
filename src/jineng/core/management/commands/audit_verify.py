import json

from django.core.management.base import BaseCommand, CommandError

from jineng.core.audit import verify_chain
from jineng.core.models import AuditEvent


def read_checkpoint(path: str) -> dict:
    try:
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)
    except (OSError, ValueError) as exc:
        raise CommandError(f"无法读取检查点文件 {path}：{exc}") from None


class Command(BaseCommand):
    help = "逐条校验审计事件的哈希链，指出第一条被篡改或删除的事件；可再对照导出的签名检查点"

    def add_arguments(self, parser):
        parser.add_argument("--checkpoint", action="append", default=[], metavar="FILE",
                            help="audit_checkpoint 导出的检查点文件（可多次给出）")

    def handle(self, *args, **options):
        checkpoints = [read_checkpoint(path) for path in options["checkpoint"]]
        problem = verify_chain(checkpoints=checkpoints)
        if problem:
            raise CommandError(f"审计链校验失败：{problem.message}")
        count = AuditEvent.objects.count()
        against = f"，与 {len(checkpoints)} 个检查点相符" if checkpoints else ""
        self.stdout.write(f"审计链完整：共 {count} 条事件，逐条校验通过{against}。")
