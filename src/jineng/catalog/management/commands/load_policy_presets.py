from django.core.management.base import BaseCommand

from jineng.catalog import presets


class Command(BaseCommand):
    help = "载入种子文件中的政策预置数据（职业分类、政策版本、计划/工程；可重复执行）"

    def add_arguments(self, parser):
        parser.add_argument("--no-samples", action="store_true", help="不载入示例数据")

    def handle(self, *args, no_samples, **options):
        counts = presets.load(samples=not no_samples)
        self.stdout.write(self.style.SUCCESS(
            "已载入：职业 {occupations} 条、政策版本 {versions} 个、计划/工程 {programmes} 个、"
            "示例数据 {samples} 项".format(**counts)))
