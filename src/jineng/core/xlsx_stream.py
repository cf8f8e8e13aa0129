""".xlsx rows in bounded memory: the worksheet XML is decompressed and scanned a chunk at a
time, so memory holds the shared-string table (when the file has one) and one chunk, never
the sheet. python-calamine is faster but parses the whole sheet into memory first (about
930 MB for 1,000,000 rows of 10 columns, see bench/RESULTS.md); the roster reader uses this
module above a size threshold.

Cells come back as calamine gives them: str, float (int when integral), bool, or
datetime.date / datetime.datetime for numbers in a date format; blank cells as "".
"""

import datetime as dt
import posixpath
import re
import struct
import zipfile
from html import unescape
from xml.etree import ElementTree

try:
    from isal import isal_zlib as _zlib
except ImportError:  # no wheel for this platform: the same API, slower
    import zlib as _zlib

NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
      "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
      "rel": "http://schemas.openxmlformats.org/package/2006/relationships"}
CHUNK = 1 << 20
EXCEL_EPOCH = dt.datetime(1899, 12, 30)
BUILTIN_DATE_FORMATS = {14, 15, 16, 17, 18, 19, 20, 21, 22, 27, 30, 36, 45, 46, 47, 50, 57}

_ROW_END = b"</row>"
_TOKEN = re.compile(
    rb'<c r="([A-Z]+)\d+"(?: s="(\d+)")?(?: t="([a-zA-Z]+)")?>'  # 1 column, 2 style, 3 type
    rb"(?:<v>([^<]*)</v>|<is><t>([^<]*)</t></is>)</c>"  # 4 value, 5 inline text
    rb"|(<row\b[^>]*?)(/?)>"  # 6 row tag, 7 self-closing
    rb"|<c\b([^>]*?)(?:/>|>(.*?)</c>)",  # 8 attributes, 9 content: any other cell
    re.S,
)
# The plain cell (see SheetXml.rows): column letters, the other attributes, the value of
# <v>…</v> or of <is><t>…</t> (<t xml:space="preserve"> too).
_PLAIN_CELL = re.compile(rb'<c r="([A-Z]+)\d+"([^>]*)>(?:<v>|<is><t[^>]*>)([^<]*)')
_LAST_COLUMN = {bytes([65 + i]): i for i in range(26)}  # the last cell of a gapless row
_ATTR_ROW_R = re.compile(rb'\br="(\d+)"')
_ATTR_R = re.compile(rb'\br="([A-Z]+)(\d+)"')
_ATTR_T = re.compile(rb'\bt="(\w+)"')
_ATTR_S = re.compile(rb'\bs="(\d+)"')
_V = re.compile(rb"<v>([^<]*)</v>")
_T = re.compile(rb"<t\b[^>]*>([^<]*)</t>|<t\b[^>]*/>")
_RPH = re.compile(rb"<rPh\b.*?</rPh>", re.S)
_DIMENSION = re.compile(rb'<dimension\b[^>]*\bref="[A-Z]*\d*:?[A-Z]*(\d*)"')
_DATE_TOKENS = re.compile(r"[ymdhs]", re.I)
_QUOTED = re.compile(r'"[^"]*"|\[[^\]]*\]|\\.')


def _inflate(fp, info: zipfile.ZipInfo, size: int):
    """A deflated member's bytes, at most `size` at a time, checked against its CRC-32 and
    size as zipfile checks them. ISA-L's inflate and CRC (isal) take about a third of
    zlib's time (545 MB of sheet XML: 0.32 s against 1.14 s through zipfile)."""
    fp.seek(info.header_offset)
    header = fp.read(30)
    if header[:4] != b"PK\x03\x04":
        raise zipfile.BadZipFile(f"{info.filename}：本地文件头损坏")
    name_length, extra_length = struct.unpack("<HH", header[26:30])
    fp.seek(info.header_offset + 30 + name_length + extra_length)
    inflater, crc, length = _zlib.decompressobj(-15), 0, 0
    left = info.compress_size
    while left or inflater.unconsumed_tail:
        data = inflater.unconsumed_tail
        if not data:
            data = fp.read(min(left, 1 << 18))
            if not data:
                break  # truncated: the size check below says so
            left -= len(data)
        try:
            chunk = inflater.decompress(data, size)
        except _zlib.error as exc:
            raise zipfile.BadZipFile(f"{info.filename}：压缩数据损坏（{exc}）") from None
        if chunk:
            crc = _zlib.crc32(chunk, crc)
            length += len(chunk)
            yield chunk
    chunk = inflater.flush()
    if chunk:
        crc = _zlib.crc32(chunk, crc)
        length += len(chunk)
        yield chunk
    if crc != info.CRC or length != info.file_size:
        raise zipfile.BadZipFile(f"{info.filename}：数据校验失败（文件不完整或已损坏）")


_COLUMNS: dict[bytes, int] = {}  # column letters -> 0-based index, filled as met


def column_index(letters: bytes) -> int:
    try:
        return _COLUMNS[letters]
    except KeyError:
        n = 0
        for ch in letters:
            n = n * 26 + (ch - 64)
        _COLUMNS[letters] = n - 1
        return n - 1


class XlsxStream:
    def __init__(self, path):
        self.zip = zipfile.ZipFile(path)
        self.sheet_path = self._first_sheet()
        self.sheet_bytes = self.zip.getinfo(self.sheet_path).file_size
        self.strings = self._shared_strings()
        self.date_styles = self._date_styles()
        # Merged ranges follow the cell data in the sheet XML: reaching them means reading
        # the whole stream, so this reader does without (the header detection copes: see
        # people.importing.columns). The row count comes from <dimension>.
        self.merged = []
        self.last_row = self._dimension()

    def close(self):
        self.zip.close()

    # ------------------------------------------------------------ workbook parts

    def _read_xml(self, name):
        try:
            return ElementTree.fromstring(self.zip.read(name))
        except KeyError:
            return None

    def _first_sheet(self) -> str:
        book = self._read_xml("xl/workbook.xml")
        rels = self._read_xml("xl/_rels/workbook.xml.rels")
        if book is None or rels is None:
            raise ValueError("不是有效的 .xlsx 文件（缺少 workbook.xml）")
        targets = {r.get("Id"): r.get("Target") for r in rels.findall("rel:Relationship", NS)}
        for sheet in book.findall("m:sheets/m:sheet", NS):
            if sheet.get("state") in ("hidden", "veryHidden"):
                continue
            target = targets.get(sheet.get(f"{{{NS['r']}}}id"), "")
            if target.startswith("/"):
                return target.lstrip("/")
            return posixpath.normpath(posixpath.join("xl", target))
        raise ValueError("工作簿中没有可见的工作表")

    def _shared_strings(self) -> list[str]:
        try:
            handle = self.zip.open("xl/sharedStrings.xml")
        except KeyError:
            return []
        strings = []
        with handle:
            for _, elem in ElementTree.iterparse(handle):
                if elem.tag == f"{{{NS['m']}}}si":
                    strings.append("".join(
                        t.text or "" for t in elem.iter(f"{{{NS['m']}}}t")
                        if not _in_phonetic(elem, t)
                    ))
                    elem.clear()
        return strings

    def _date_styles(self) -> set[int]:
        styles = self._read_xml("xl/styles.xml")
        if styles is None:
            return set()
        custom = {}
        for fmt in styles.findall("m:numFmts/m:numFmt", NS):
            code = _QUOTED.sub("", fmt.get("formatCode", ""))
            custom[int(fmt.get("numFmtId"))] = bool(_DATE_TOKENS.search(code))
        dates = set()
        for i, xf in enumerate(styles.findall("m:cellXfs/m:xf", NS)):
            fid = int(xf.get("numFmtId", "0"))
            if fid in BUILTIN_DATE_FORMATS or custom.get(fid):
                dates.add(i)
        return dates

    def _chunks(self):
        info = self.zip.getinfo(self.sheet_path)
        if (self.zip.filename and info.compress_type == zipfile.ZIP_DEFLATED
                and not info.flag_bits & 0x1):  # 0x1: encrypted
            with open(self.zip.filename, "rb") as fp:
                yield from _inflate(fp, info, CHUNK)
            return
        with self.zip.open(info) as f:
            while chunk := f.read(CHUNK):
                yield chunk

    def _dimension(self) -> int:
        with self.zip.open(self.sheet_path) as f:
            head = f.read(4096)
        found = _DIMENSION.search(head)
        return int(found[1]) if found and found[1] else 0

    # ------------------------------------------------------------ rows

    def blocks(self):
        """The sheet XML in pieces of about CHUNK bytes, each ending after a </row>: whole
        rows, in order, that `SheetXml.rows` can parse on their own (in another process)."""
        buffer = b""
        for chunk in self._chunks():
            buffer += chunk
            end = buffer.rfind(_ROW_END)
            if end < 0:
                continue
            end += len(_ROW_END)
            yield buffer[:end]
            buffer = buffer[end:]
        if buffer:
            yield buffer

    def parser(self) -> "SheetXml":
        return SheetXml(self.strings, self.date_styles)

    def rows(self):
        """(row number, cells) for every row from 1, blank rows included (as calamine)."""
        parser, expected, previous = self.parser(), 1, 0
        for block in self.blocks():
            rows = parser.rows(block, previous)
            if rows:
                previous = rows[-1][0]
            for number, cells in rows:
                while expected < number:
                    yield expected, []
                    expected += 1
                yield number, cells
                expected = number + 1


class SheetXml:
    """Parses blocks of worksheet XML into rows; holds what cells refer to (the shared strings,
    which styles are dates), so a worker process can parse blocks the reader cut."""

    def __init__(self, strings: list[str], date_styles: set[int]):
        self.strings = strings
        self.date_styles = date_styles
        self._converters: dict = {}  # a cell's attributes -> how to read its value

    def last_row_number(self, block: bytes, previous: int) -> int:
        """The number of the block's last row, cheaply: from its r attribute, or by parsing
        the block when that row has none (rows are then numbered one after another)."""
        start = block.rfind(b"<row")
        while start >= 0 and block[start + 4: start + 5] not in (b" ", b">"):  # <rowBreaks
            start = block.rfind(b"<row", 0, start)
        if start < 0:
            return previous
        found = _ATTR_ROW_R.search(block, start, block.find(b">", start))
        if found:
            return int(found[1])
        rows = self.rows(block, previous)
        return rows[-1][0] if rows else previous

    def rows(self, block: bytes, previous: int = 0) -> list[tuple[int, list]]:
        """The rows of `block` as (number, cells); a row without r="..." is numbered after
        the one before it (`previous` for the block's first).

        Rows are split off at C speed and each row's cells found by one short pattern for
        the plain shape Excel and xlsxwriter write (reference first, then a <v> value or
        plain inline text); a row whose cells all have that shape and stand in columns
        A, B, C … without gaps is built by one comprehension. Any other row (formulas, rich
        text, styled empty cells, gaps) goes through `_rows_general`."""
        convert = self._converters
        escaped = b"&" in block
        out = []
        for piece in block.split(_ROW_END):
            start = piece.rfind(b"<row")
            if start < 0:
                continue
            if piece[start + 4: start + 8] != b' r="':  # <row>, <rowBreaks …
                return self._rows_general(block, previous)
            number = int(piece[start + 8: piece.index(b'"', start + 8)])
            found = _PLAIN_CELL.findall(piece, start)
            if len(found) != piece.count(b"<c ", start):
                out.extend(self._rows_general(piece[start:] + _ROW_END, number - 1))
                continue
            try:
                if found and _LAST_COLUMN.get(found[-1][0]) == len(found) - 1:
                    cells = [v.decode() if (f := convert[a]) is None else f(v)
                             for _, a, v in found]
                else:
                    cells = self._place(found)
            except KeyError:  # attributes not met before
                cells = self._place(found)
            if escaped:
                cells = [unescape(c) if type(c) is str and "&" in c else c for c in cells]
            out.append((number, cells))
        return out

    def _place(self, found: list[tuple[bytes, bytes, bytes]]) -> list:
        """Cells into their columns, gaps as ""."""
        cells = []
        for letters, attrs, value in found:
            c = column_index(letters)
            if c > len(cells):
                cells.extend([""] * (c - len(cells)))
            f = self._converter(attrs)
            cells.append(value.decode() if f is None else f(value))
        return cells

    def _converter(self, attrs: bytes):
        """How to read the value of a cell with these attributes (None: it is the text)."""
        try:
            return self._converters[attrs]
        except KeyError:
            pass
        kind = _ATTR_T.search(attrs)
        kind = kind[1] if kind else b"n"
        style = _ATTR_S.search(attrs)
        strings = self.strings
        if kind == b"n":
            found = _date_value if style and int(style[1]) in self.date_styles else _number_value
        elif kind == b"s":
            def found(v):
                return strings[int(v)]
        elif kind == b"b":
            found = _bool_value
        else:  # inlineStr; str (formula result), e (error), d (ISO date): the text itself
            found = None
        self._converters[attrs] = found
        return found

    def _rows_general(self, block: bytes, previous: int) -> list[tuple[int, list]]:
        """Any worksheet XML: one regular expression walks rows and cells in document order
        (findall: the matching stays in C); the common cell shapes match its first branch,
        anything else the general one."""
        strings, dates, value_of = self.strings, self.date_styles, self._value
        columns = _COLUMNS
        out = []
        number, cells = previous, None
        for (col, style, kind, value, text, row_tag, closed, cell_attrs,
             inner) in _TOKEN.findall(block):
            if col:  # the fast branch
                if cells is None:
                    continue
                c = columns.get(col)
                if c is None:
                    c = column_index(col)
                if c > len(cells):
                    cells.extend([""] * (c - len(cells)))
                if kind == b"inlineStr":
                    value = text.decode()
                    cells.append(unescape(value) if "&" in value else value)
                else:
                    cells.append(value_of(value, kind, style, strings, dates))
                continue
            if row_tag:
                if cells is not None:
                    out.append((number, cells))
                found = _ATTR_ROW_R.search(row_tag)
                number = int(found[1]) if found else number + 1
                cells = []
                if closed:  # <row .../>
                    out.append((number, cells))
                    cells = None
                continue
            if cells is not None:
                cells.append(self._general_cell(cells, cell_attrs, inner))
        if cells is not None:
            out.append((number, cells))
        return out

    def _general_cell(self, cells: list, attrs: bytes, inner: bytes):
        """A cell of another shape (attributes in another order, rich text, formulas ...);
        pads `cells` up to its column and returns its value."""
        ref = _ATTR_R.search(attrs)
        col = column_index(ref[1]) if ref else len(cells)
        if col > len(cells):
            cells.extend([""] * (col - len(cells)))
        if not inner:
            return ""
        kind = _ATTR_T.search(attrs)
        kind = kind[1] if kind else None
        if kind == b"inlineStr":
            if b"<rPh" in inner:
                inner = _RPH.sub(b"", inner)
            value = b"".join(t[1] or b"" for t in _T.finditer(inner)).decode()
            return unescape(value) if "&" in value else value
        v = _V.search(inner)
        style = _ATTR_S.search(attrs)
        if v is None:
            return ""
        return self._value(v[1], kind, style[1] if style else None, self.strings,
                           self.date_styles)

    @staticmethod
    def _value(raw: bytes, kind, style, strings, dates):
        if not kind or kind == b"n":
            number_value = float(raw)
            if style and int(style) in dates:
                return _date(number_value)
            return int(number_value) if number_value.is_integer() else number_value
        if kind == b"s":
            return strings[int(raw)]
        if kind == b"b":
            return raw == b"1"
        value = raw.decode()  # str (formula result), e (error), d (ISO date)
        return unescape(value) if "&" in value else value


def _number_value(raw: bytes):
    n = float(raw)
    return int(n) if n.is_integer() else n


def _date_value(raw: bytes):
    return _date(float(raw))


def _bool_value(raw: bytes) -> bool:
    return raw == b"1"


def _in_phonetic(si, t) -> bool:
    return False  # rPh runs hold furigana; rare in Chinese rosters (iterparse keeps it simple)


def _date(serial: float):
    moment = EXCEL_EPOCH + dt.timedelta(days=serial)
    if moment.hour == moment.minute == moment.second == 0 and not moment.microsecond:
        return moment.date()
    return moment
