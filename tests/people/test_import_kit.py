"""Shared helpers for the importer tests: roster files built in tmp_path, and a runner."""

import csv
import datetime as dt

import pytest
import xlsxwriter
from django.test import TestCase
from python_calamine import CalamineWorkbook

from jineng.core.identity import make_resident_number

HEADERS = ["姓名", "身份证号", "性别", "出生日期", "手机号", "户籍地", "文化程度", "就业状态",
           "重点群体", "社保卡号"]


def number(seq: int, code: str = "411402", born: dt.date = dt.date(1990, 1, 1)) -> str:
    """A valid resident number; odd sequences are men."""
    return make_resident_number(code, born, seq)


def person_name(seq: int) -> str:
    """测试一零七 for 107: a name has no digits (services.NAME_FORBIDDEN)."""
    return "测试" + str(seq).translate(str.maketrans("0123456789", "零一二三四五六七八九"))


def person_row(seq: int, name: str = "", **over) -> list:
    row = {
        "姓名": name or person_name(seq), "身份证号": number(seq),
        "性别": "男" if seq % 2 else "女",
        "出生日期": "1990-01-01", "手机号": f"1380000{seq:04d}", "户籍地": "411402",
        "文化程度": "高中", "就业状态": "失业", "重点群体": "农村转移劳动力", "社保卡号": "",
    }
    row.update(over)
    return [row[h] for h in HEADERS]


def write_xlsx(path, rows: list[list], *, merges=(), date_cols=()) -> str:
    """rows are written as given: str as text, int/float as numbers, dates as date cells."""
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("花名册")
    date_format = book.add_format({"num_format": "yyyy-mm-dd"})
    for (r0, c0, r1, c1, text) in merges:
        sheet.merge_range(r0, c0, r1, c1, text)
    merged_cells = {(r, c) for (r0, c0, r1, c1, _) in merges
                    for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)}
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if (r, c) in merged_cells or value is None:
                continue
            if isinstance(value, dt.date):
                sheet.write_datetime(r, c, dt.datetime.combine(value, dt.time()), date_format)
            elif isinstance(value, str):
                sheet.write_string(r, c, value)
            else:
                sheet.write_number(r, c, value)
    book.close()
    return str(path)


def write_csv(path, rows: list[list], encoding: str = "utf-8") -> str:
    with open(path, "w", encoding=encoding, newline="") as f:
        csv.writer(f).writerows(rows)
    return str(path)


def after_commit():
    """Uploads queue their import once the request's transaction commits; a test's
    transaction never does, so this runs what waited for the commit when the block ends."""
    return TestCase.captureOnCommitCallbacks(execute=True)


def read_report(path) -> list[list]:
    if hasattr(path, "read"):
        return CalamineWorkbook.from_filelike(path).get_sheet_by_index(0).to_python()
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()


@pytest.fixture(params=["inline", "workers"])
def run_import(request, db, tmp_path):
    """Runs an import in this process, and again with two forked worker processes that read
    and validate (what a large file gets): both must give the same result."""
    from jineng.orgs.models import Region
    from jineng.people.importing.run import ImportOptions, import_file

    workers = 0 if request.param == "inline" else 2

    def run(path, region: str = "411402", report: str = "report.xlsx", **options):
        options.setdefault("workers", workers)
        opts = ImportOptions(region=Region.objects.get(code=region),
                             report_path=str(tmp_path / report), **options)
        return import_file(path, opts)

    return run


def person(seq: int):
    from jineng.people.importing.rows import identity_hash
    from jineng.people.models import Person

    return Person.objects.filter(id_hash=identity_hash("resident", number(seq))).first()
