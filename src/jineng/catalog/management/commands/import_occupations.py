import csv

from django.core.management.base import BaseCommand, CommandError

from jineng.catalog import services
from jineng.core.actors import system_actor
from jineng.core.errors import ServiceError


class Command(BaseCommand):
    help = ("导入新版《职业分类大典》（CSV：code,level,name,mark）；旧版记录保留并指向新版，"
            "可用 --map 指定新旧代码对照（CSV：old_code,new_code）")

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--edition", required=True)
        parser.add_argument("--map", dest="map_file", default="")

    def handle(self, *args, file, edition, map_file, **options):
        mapping = {}
        if map_file:
            with open(map_file, encoding="utf-8", newline="") as f:
                mapping = {r["old_code"].strip(): r["new_code"].strip() for r in csv.DictReader(f)}
        try:
            with open(file, encoding="utf-8", newline="") as f:
                result = services.occupation_edition_import(
                    actor=system_actor("import_occupations"), edition=edition,
                    rows=csv.DictReader(f), successor_map=mapping)
        except ServiceError as exc:
            for message in list(exc.errors.values())[:50]:
                self.stderr.write(message)
            raise CommandError(exc.message) from None
        self.stdout.write(self.style.SUCCESS(
            f"{result.edition} 版：新增 {result.created} 条，旧版 {result.superseded} 条转为历史"
            f"（其中 {result.mapped} 条有新版对应）"))
