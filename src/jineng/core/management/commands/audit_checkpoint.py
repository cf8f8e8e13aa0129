import json

from django.core.management.base import BaseCommand

from jineng.core.actors import system_actor
from jineng.core.audit import audit_checkpoint_create


class Command(BaseCommand):
    help = ("导出各条审计链链头的签名检查点（JSON），保存在数据库之外，"
            "供 audit_verify --checkpoint 校验")

    def add_arguments(self, parser):
        parser.add_argument("output", metavar="FILE", help="写入的检查点文件")

    def handle(self, *args, output, **options):
        checkpoint = audit_checkpoint_create(actor=system_actor("audit_checkpoint"))
        with open(output, "w", encoding="utf-8") as handle:
            json.dump(checkpoint, handle, ensure_ascii=False, indent=2)
        count = sum(seq for _, seq, _ in checkpoint["heads"])
        self.stdout.write(f"已导出 {len(checkpoint['heads'])} 条审计链链头（共 {count} 个事件）"
                          f"的检查点：{output}")
