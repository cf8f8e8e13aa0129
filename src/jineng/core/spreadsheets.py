"""Spreadsheet output (xlsxwriter, constant memory). Readers for imports live beside it."""

import datetime as dt
import io
import re
from collections.abc import Iterable, Sequence

import xlsxwriter


def write_xlsx(target, headers: Sequence[str], rows: Iterable[Sequence], sheet: str = "Sheet1"):
    """Write one sheet to a path or a binary file object, streaming row by row."""
    workbook = xlsxwriter.Workbook(target, {"constant_memory": True, "in_memory": False})
    worksheet = workbook.add_worksheet(sheet[:31])
    bold = workbook.add_format({"bold": True, "bg_color": "#E8EEF7"})
    text = workbook.add_format({"num_format": "@"})
    worksheet.write_row(0, 0, list(headers), bold)
    worksheet.set_column(0, max(len(headers) - 1, 0), 18, text)
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, str):
                # As text, so numbers with leading zeros and 18-digit codes stay as they are.
                worksheet.write_string(r, c, value)
            else:
                worksheet.write(r, c, value)
    workbook.close()


def xlsx_bytes(headers: Sequence[str], rows: Iterable[Sequence], sheet: str = "Sheet1") -> bytes:
    buffer = io.BytesIO()
    write_xlsx(buffer, headers, rows, sheet)
    return buffer.getvalue()


XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def export_filename(*parts, on_date: dt.date) -> str:
    """What a person reads, then the date: 劳动者实名登记-2026-12-03.xlsx. Characters a file
    name cannot hold (a slash in 计划/工程) become a dash."""
    name = "-".join(str(p) for p in parts if str(p))
    return re.sub(r'[\\/:*?"<>|\s]+', "-", f"{name}-{on_date:%Y-%m-%d}") + ".xlsx"
