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
import zipfile
from html import unescape
from xml.etree import ElementTree

NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
      "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
      "rel": "http://schemas.openxmlformats.org/package/2006/relationships"}
CHUNK = 1 << 20
EXCEL_EPOCH = dt.datetime(1899, 12, 30)
BUILTIN_DATE_FORMATS = {14, 15, 16, 17, 18, 19, 20, 21, 22, 27, 30, 36, 45, 46, 47, 50, 57}

_ROW_END = b"</row>"
_TOKEN = re.compile(
    rb"<row\b([^>]*?)(/?)>"  # 1 attributes, 2 self-closing
    rb'|<c r="([A-Z]+)\d+"(?: s="(\d+)")?(?: t="([a-zA-Z]+)")?>'  # 3 column, 4 style, 5 type
    rb"(?:<v>([^<]*)</v>|<is><t>([^<]*)</t></is>)</c>"  # 6 value, 7 inline text
    rb"|<c\b([^>]*?)(?:/>|>(.*?)</c>)",  # 8 attributes, 9 content: any other cell
    re.S,
)
_ATTR_ROW_R = re.compile(rb'\br="(\d+)"')
_ROW = re.compile(rb"<row\b[^>]*?(?:/>|>(.*?)</row>)", re.S)
_ROW_NUMBER = re.compile(rb'<row\b[^>]*?\br="(\d+)"')
_CELL = re.compile(rb"<c\b([^>]*?)(?:/>|>(.*?)</c>)", re.S)
_ATTR_R = re.compile(rb'\br="([A-Z]+)(\d+)"')
_ATTR_T = re.compile(rb'\bt="(\w+)"')
_ATTR_S = re.compile(rb'\bs="(\d+)"')
_V = re.compile(rb"<v>([^<]*)</v>")
_T = re.compile(rb"<t\b[^>]*>([^<]*)</t>|<t\b[^>]*/>")
_RPH = re.compile(rb"<rPh\b.*?</rPh>", re.S)
_MERGE = re.compile(rb'<mergeCell\b[^>]*\bref="([A-Z]+)(\d+):([A-Z]+)(\d+)"')
_DIMENSION = re.compile(rb'<dimension\b[^>]*\bref="[A-Z]*\d*:?[A-Z]*(\d*)"')
_DATE_TOKENS = re.compile(r"[ymdhs]", re.I)
_QUOTED = re.compile(r'"[^"]*"|\[[^\]]*\]|\\.')


def column_index(letters: bytes, _cache: dict = {}) -> int:  # noqa: B006 (a cache)
    try:
        return _cache[letters]
    except KeyError:
        n = 0
        for ch in letters:
            n = n * 26 + (ch - 64)
        _cache[letters] = n - 1
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
        with self.zip.open(self.sheet_path) as f:
            while chunk := f.read(CHUNK):
                yield chunk

    def _dimension(self) -> int:
        with self.zip.open(self.sheet_path) as f:
            head = f.read(4096)
        found = _DIMENSION.search(head)
        return int(found[1]) if found and found[1] else 0

    # ------------------------------------------------------------ rows

    def rows(self):
        """(row number, cells) for every row from 1, blank rows included (as calamine)."""
        state = {"expected": 1}
        buffer = b""
        for chunk in self._chunks():
            buffer += chunk
            end = buffer.rfind(_ROW_END)
            if end < 0:
                continue
            end += len(_ROW_END)
            block, buffer = buffer[:end], buffer[end:]
            yield from self._fill(self._parse(block), state)
        yield from self._fill(self._parse(buffer), state)

    @staticmethod
    def _fill(rows, state):
        for number, cells in rows:
            while state["expected"] < number:
                yield state["expected"], []
                state["expected"] += 1
            yield number, cells
            state["expected"] = number + 1

    def _parse(self, block: bytes):
        """One regular expression walks rows and cells in document order; the common cell
        shapes (Excel's and xlsxwriter's) match its first branch, anything else the
        general one."""
        strings, dates = self.strings, self.date_styles
        number, cells = 0, None
        for m in _TOKEN.finditer(block):
            row_attrs = m.group(1)
            if row_attrs is not None:
                if cells is not None:
                    yield number, cells
                found = _ATTR_ROW_R.search(row_attrs)
                number = int(found[1]) if found else number + 1
                cells = []
                if m.group(2):  # <row .../>
                    yield number, cells
                    cells = None
                continue
            if cells is None:
                continue
            letters = m.group(3)
            if letters is not None:  # the fast branch
                col = column_index(letters)
                if col > len(cells):
                    cells.extend([""] * (col - len(cells)))
                text = m.group(7)
                if text is not None:
                    value = text.decode()
                    cells.append(unescape(value) if "&" in value else value)
                    continue
                raw, kind, style = m.group(6), m.group(5), m.group(4)
                cells.append(self._value(raw, kind, style, strings, dates))
                continue
            attrs, inner = m.group(8), m.group(9)
            ref = _ATTR_R.search(attrs)
            col = column_index(ref[1]) if ref else len(cells)
            if col > len(cells):
                cells.extend([""] * (col - len(cells)))
            if not inner:
                cells.append("")
                continue
            kind = _ATTR_T.search(attrs)
            kind = kind[1] if kind else None
            if kind == b"inlineStr":
                if b"<rPh" in inner:
                    inner = _RPH.sub(b"", inner)
                value = b"".join(t[1] or b"" for t in _T.finditer(inner)).decode()
                cells.append(unescape(value) if "&" in value else value)
                continue
            v = _V.search(inner)
            style = _ATTR_S.search(attrs)
            cells.append("" if v is None else
                         self._value(v[1], kind, style[1] if style else None, strings, dates))
        if cells is not None:
            yield number, cells

    @staticmethod
    def _value(raw: bytes, kind, style, strings, dates):
        if kind is None or kind == b"n":
            number_value = float(raw)
            if style is not None and int(style) in dates:
                return _date(number_value)
            return int(number_value) if number_value.is_integer() else number_value
        if kind == b"s":
            return strings[int(raw)]
        if kind == b"b":
            return raw == b"1"
        value = raw.decode()  # str (formula result), e (error), d (ISO date)
        return unescape(value) if "&" in value else value


def _in_phonetic(si, t) -> bool:
    return False  # rPh runs hold furigana; rare in Chinese rosters (iterparse keeps it simple)


def _date(serial: float):
    moment = EXCEL_EPOCH + dt.timedelta(days=serial)
    if moment.hour == moment.minute == moment.second == 0 and not moment.microsecond:
        return moment.date()
    return moment
