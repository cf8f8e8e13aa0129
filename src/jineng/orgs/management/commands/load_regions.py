from django.core.management.base import BaseCommand

from jineng.core.actors import system_actor
from jineng.orgs.loaders import load_divisions


class Command(BaseCommand):
    help = "从 GB/T 2260 区划表（2026）载入缺少的行政区划（可重复执行）"

    def add_arguments(self, parser):
        parser.add_argument("--province", action="append", help="只载入这些省级代码，如 410000")

    def handle(self, *args, province=None, **options):
        added = load_divisions(actor=system_actor("load_regions"),
                               province_codes=set(province) if province else None)
        self.stdout.write(f"新增区划 {added} 个")
