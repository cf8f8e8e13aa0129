"""Reading roster files row by row: .xlsx / .xls (python-calamine) and .csv (UTF-8 with or
without BOM, GBK / GB18030).

What streams and what does not, measured (bench/RESULTS.md): python-calamine parses a whole
sheet into a compact Rust array when the sheet is opened (about 25 bytes a cell plus the text),
then hands rows to Python one at a time through `iter_rows`, so Python never holds more than
one row; CSV is read through a buffered decoder and never held whole.
"""

import codecs
import csv
import os
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import NamedTuple

from python_calamine import CalamineError, CalamineWorkbook

from jineng.core.xlsx_stream import SheetXml, XlsxStream

XLSX_MAGIC = b"PK\x03\x04"
XLS_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
SNIFF_BYTES = 1 << 20
# Above this size of worksheet XML (about 200,000 rows of 10 columns) an .xlsx is read by
# core.xlsx_stream in bounded memory instead of calamine, which holds the whole sheet.
STREAM_ABOVE_BYTES = 100 << 20
# What an .xlsx may plausibly inflate to. A million-row, 10-column roster's sheet XML is
# about 545 MB (bench/RESULTS.md) and sheet XML compresses 5-20 times; a zip bomb (4 MB that
# declares 4 GiB) compresses about 1,000 times. Both refused before any inflating.
MAX_INFLATED_BYTES = 2 << 30
MAX_COMPRESSION_RATIO = 200


class ReadError(ValueError):
    """The file cannot be read at all; `message` says why, in Chinese."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class SheetBlock(NamedTuple):
    """Whole rows of raw worksheet XML, cut by the reader; `previous` is the number of the row
    before the first, for rows that carry no number of their own."""

    previous: int
    xml: bytes


@dataclass
class RowSource:
    """Rows of the first worksheet: `rows` yields (1-based row number as the user sees it,
    list of cell values). `merged` lists merged ranges as ((r0, c0), (r1, c1)): rows 1-based,
    columns 0-based as in the yielded rows; `total_rows` is exact for spreadsheets and an
    upper bound for CSV.

    For work spread over processes, `parts()` yields the same rows in pieces instead (use one
    or the other): lists of rows, or for a large .xlsx raw `SheetBlock`s that `expand` — which
    can run in another process — turns into rows."""

    kind: str  # "xlsx", "xls", "csv"
    rows: Iterator[tuple[int, list]]
    total_rows: int
    merged: list = field(default_factory=list)
    encoding: str = ""
    close: callable = lambda: None
    blocks: Iterator[bytes] | None = None  # the large-.xlsx reader's raw blocks
    parser: SheetXml | None = None  # parses them

    def parts(self, rows_per_part: int = 2000) -> Iterator[list | SheetBlock]:
        if self.blocks is None:
            part = []
            for row in self.rows:
                part.append(row)
                if len(part) >= rows_per_part:
                    yield part
                    part = []
            if part:
                yield part
            return
        previous = 0
        try:
            for xml in self.blocks:
                yield SheetBlock(previous, xml)
                previous = self.parser.last_row_number(xml, previous)
        except (zipfile.BadZipFile, EOFError):  # zipfile's own messages are in English
            raise ReadError(f"Excel 文件在第 {previous} 行之后已损坏（数据不完整或校验失败），"
                            "无法继续读取。请用 Excel 重新保存后再导入；再次导入时，已登记的人员按"
                            "“重复时”的选择跳过或更新") from None

    def expand(self, part: list | SheetBlock) -> list[tuple[int, list]]:
        return expand_part(part, self.parser)


def expand_part(part: list | SheetBlock, parser: SheetXml | None) -> list[tuple[int, list]]:
    if isinstance(part, SheetBlock):
        return parser.rows(part.xml, part.previous)
    return part


def sniff_kind(path: str | os.PathLike, name: str = "") -> str:
    with open(path, "rb") as f:
        head = f.read(8)
    if head.startswith(XLSX_MAGIC):
        return "xlsx"
    if head.startswith(XLS_MAGIC):
        return "xls"
    suffix = os.path.splitext(str(name or path))[1].lower()
    if suffix in (".xlsx", ".xls", ".xlsm"):
        raise ReadError("文件扩展名是 Excel，但内容不是有效的 Excel 文件，可能已损坏")
    return "csv"


def check_xlsx_inflation(file) -> None:
    """Refuse, from the zip directory alone, an .xlsx whose parts declare an implausible size
    or compression ratio (a zip bomb); `file` is a path or a seekable binary file."""
    try:
        with zipfile.ZipFile(file) as book:
            members = book.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ReadError(f"无法读取 Excel 文件：{exc}") from None
    total = sum(m.file_size for m in members)
    if total > MAX_INFLATED_BYTES:
        raise ReadError(f"Excel 文件解压后达 {total / (1 << 30):.1f} GB，超过上限 "
                        f"{MAX_INFLATED_BYTES / (1 << 30):.0f} GB，不予导入。请拆分文件后再导入")
    for m in members:
        if m.file_size > (1 << 20) and m.file_size > MAX_COMPRESSION_RATIO * max(
                m.compress_size, 1):
            raise ReadError(f"Excel 文件中的“{m.filename}”压缩比异常（{m.compress_size} 字节解压为 "
                            f"{m.file_size} 字节），可能是恶意构造的文件，不予导入")


def open_rows(path: str | os.PathLike, name: str = "") -> RowSource:
    kind = sniff_kind(path, name)
    if kind == "csv":
        return _csv_rows(path)
    if kind == "xlsx":
        check_xlsx_inflation(path)
    return _calamine_rows(path, kind)


def _stream_rows(path) -> RowSource | None:
    """The bounded-memory reader for a large .xlsx; None when the sheet is small enough for
    calamine (faster, and it reports merged cells)."""
    try:
        stream = XlsxStream(path)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise ReadError(f"无法读取 Excel 文件：{exc}") from None
    if stream.sheet_bytes <= STREAM_ABOVE_BYTES:
        stream.close()
        return None
    return RowSource("xlsx", stream.rows(), stream.last_row, [], close=stream.close,
                     blocks=stream.blocks(), parser=stream.parser())


def _calamine_rows(path, kind: str) -> RowSource:
    if kind == "xlsx" and (source := _stream_rows(path)) is not None:
        return source
    try:
        workbook = CalamineWorkbook.from_path(str(path))
        index = next(
            (i for i, m in enumerate(workbook.sheets_metadata)
             if str(m.visible).endswith("Visible") and str(m.typ).endswith("WorkSheet")),
            0,
        )
        sheet = workbook.get_sheet_by_index(index)
    except (CalamineError, OSError, ValueError) as exc:
        raise ReadError(f"无法读取 Excel 文件：{exc}") from None
    # iter_rows yields every row from the sheet's first row (blank ones too), and columns
    # from the first used column: row numbers are absolute, columns relative to start_col.
    start_col = (sheet.start or (0, 0))[1]
    end_row = (sheet.end or (-1, 0))[0]
    merged = [  # rows 1-based as the user sees them, columns relative to the rows we yield
        ((r0 + 1, c0 - start_col), (r1 + 1, c1 - start_col))
        for (r0, c0), (r1, c1) in (sheet.merged_cell_ranges or [])
    ]

    def rows():
        yield from enumerate(sheet.iter_rows(), start=1)

    return RowSource(kind, rows(), end_row + 1, merged, close=workbook.close)


def detect_encoding(sample: bytes) -> str:
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        codecs.getincrementaldecoder("gb18030")().decode(sample, final=False)
        return "gb18030"  # a superset of GBK and GB2312
    except UnicodeDecodeError:
        raise ReadError("无法识别 CSV 文件的编码，请另存为 UTF-8 或 GBK 编码的 CSV") from None


def _count_lines(path) -> int:
    lines, last = 0, b"\n"
    with open(path, "rb") as f:
        while chunk := f.read(1 << 22):
            lines += chunk.count(b"\n")
            last = chunk[-1:]
    return lines + (last != b"\n")


def _csv_rows(path) -> RowSource:
    with open(path, "rb") as f:
        sample = f.read(SNIFF_BYTES)
    encoding = detect_encoding(sample)
    text = sample.decode(encoding, errors="ignore")
    try:
        dialect = csv.Sniffer().sniff(text[:20000], delimiters=",\t;|")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ","
    handle = open(path, encoding=encoding, newline="", buffering=1 << 20)  # noqa: SIM115

    def rows():
        number = 0
        try:
            for row in csv.reader(handle, delimiter=delimiter):
                number += 1
                yield number, row
        except UnicodeDecodeError:
            raise ReadError(
                f"CSV 文件第 {number + 1} 行附近含有不是 {encoding.upper()} 编码的字符，"
                "请统一另存为 UTF-8 或 GBK 编码"
            ) from None
        except csv.Error as exc:
            raise ReadError(f"CSV 文件第 {number + 1} 行格式有误：{exc}") from None
        finally:
            handle.close()

    return RowSource("csv", rows(), _count_lines(path), [], encoding, close=handle.close)


__all__ = ["ReadError", "RowSource", "SheetBlock", "detect_encoding", "expand_part", "open_rows",
           "sniff_kind"]
