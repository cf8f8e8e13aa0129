"""jineng import_people FILE --region CODE [--mode strict|partial]
[--on-duplicate update|skip|error] [--report OUT.xlsx]

Prints a progress bar on stderr when it is a terminal, and ends with one JSON line of counts
on stdout. Exit status 0 when the import ran (whatever it rejected), 2 when it could not run.
"""

import json
import sys
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from jineng.orgs.models import Region
from jineng.orgs.selectors import region_find
from jineng.people.importing.service import person_import_from_path, person_import_run
from jineng.people.models import ImportMode, OnDuplicate, PersonImport


class Bar:
    def __init__(self, stream):
        self.stream = stream
        self.started = time.monotonic()
        self.enabled = stream.isatty()

    def __call__(self, done: int, total: int | None) -> None:
        if not self.enabled:
            return
        elapsed = max(time.monotonic() - self.started, 1e-6)
        rate = done / elapsed
        if total:
            share = min(done / total, 1.0)
            filled = int(30 * share)
            eta = (total - done) / rate if rate else 0
            line = (f"\r[{'#' * filled}{'.' * (30 - filled)}] {done:,}/{total:,} 行 "
                    f"{rate:,.0f} 行/秒 剩余约 {eta:,.0f} 秒 ")
        else:
            line = f"\r{done:,} 行 {rate:,.0f} 行/秒 "
        self.stream.write(line)
        self.stream.flush()

    def end(self) -> None:
        if self.enabled:
            self.stream.write("\n")
            self.stream.flush()


class Command(BaseCommand):
    help = "从花名册文件（.xlsx/.xls/.csv）批量导入劳动者实名信息"

    def add_arguments(self, parser):
        parser.add_argument("file", help="花名册文件路径")
        parser.add_argument("--region", required=True,
                            help="默认地区：名称或区划代码，如 梁园区 或 411402")
        parser.add_argument("--mode", choices=ImportMode.values, default=ImportMode.PARTIAL,
                            help="strict：有错误行则全部不导入；partial：导入正确的行（默认）")
        parser.add_argument("--on-duplicate", choices=OnDuplicate.values,
                            default=OnDuplicate.SKIP, help="重复人员：update、skip（默认）或 error")
        parser.add_argument("--report", help="把错误报告 .xlsx 另存到此路径")

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"文件不存在或无法读取：{path}", returncode=2)
        region, problem = region_find(options["region"], Region.objects.filter(is_active=True))
        if region is None:
            raise CommandError(problem, returncode=2)
        if options["report"] and not Path(options["report"]).parent.resolve().is_dir():
            raise CommandError(f"报告目录不存在：{Path(options['report']).parent}", returncode=2)
        imp = person_import_from_path(path=path, region=region, mode=options["mode"],
                                      on_duplicate=options["on_duplicate"])
        bar = Bar(sys.stderr)
        try:
            result = person_import_run(imp.pk, on_tick=bar, report_path=options["report"])
        finally:
            bar.end()
        if result is None:
            imp = PersonImport.objects.get(pk=imp.pk)
            raise CommandError(imp.error_message or "导入未能执行", returncode=2)
        counts = result.counts()
        counts["import_id"] = imp.pk
        counts["seconds"] = round(result.seconds, 2)
        self.stdout.write(json.dumps(counts, ensure_ascii=False))
