"""Which column is which: header synonyms, header-row detection and the template."""

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from jineng.core.identity import make_resident_number
from jineng.core.spreadsheets import write_xlsx
from jineng.people.roster import COLUMNS

# field -> (label in the template and in messages, synonyms), from the column table.
# Synonyms are compared after `header_key` (NFKC, no spaces, no parenthesised notes, no
# asterisks).
FIELDS: dict[str, tuple[str, tuple[str, ...]]] = {
    c.field: (c.label, c.synonyms) for c in COLUMNS
}
# Headers that name the resident identity card: the column holds resident numbers, so a number
# there is never reinterpreted as another document's (a 9… number as a foreigner's).
RESIDENT_HEADERS = frozenset({"公民身份号码", "公民身份证号码", "居民身份证号码", "居民身份证号"})
TEMPLATE_FIELDS = list(FIELDS)
LABELS = {f: label for f, (label, _) in FIELDS.items()}
REQUIRED = ("id_number", "name")
HEADER_SCAN_ROWS = 30

_NOTE = re.compile(r"[(\[【].*?[)\]】]")
_JUNK = re.compile(r"[\s*:：_\-—]+")
_SYNONYMS = {}
for _field, (_label, _names) in FIELDS.items():
    for _name in _names:
        _SYNONYMS[_name.lower()] = _field


def header_key(value) -> str:
    text = unicodedata.normalize("NFKC", "" if value is None else str(value))
    return _JUNK.sub("", _NOTE.sub("", text)).lower()


def field_for(value) -> str | None:
    return _SYNONYMS.get(header_key(value))


@dataclass
class HeaderMap:
    row_number: int  # sheet row number of the (last) header row
    positions: dict[str, int]  # field -> column index
    labels: list[str]  # the file's header text per column, for the report

    def implied_doc_type(self) -> str | None:
        """"resident" when the identity column's header names the resident card."""
        if "id_number" in self.positions and header_key(
                self.labels[self.positions["id_number"]]) in RESIDENT_HEADERS:
            return "resident"
        return None

    def missing(self) -> list[str]:
        return [LABELS[f] for f in REQUIRED if f not in self.positions]


def _score(cells: list) -> int:
    return len({f for f in (field_for(c) for c in cells) if f})


def detect_header(head: list[tuple[int, list]], merged: list) -> HeaderMap | None:
    """The header is the row among the first few that names the most known fields (at least
    two, one of them the identity number or the name). Title rows above it are ignored; a
    header cell that is part of a merged range takes the text of the range's first cell, and
    data starts below the lowest merged range that touches the header row."""
    best, best_score = None, 1
    for i, (_, cells) in enumerate(head):
        score = _score(cells)
        if score > best_score and any(field_for(c) in REQUIRED for c in cells):
            best, best_score = i, score
    if best is None:
        return None
    index_of = {number: i for i, (number, _) in enumerate(head)}
    row_number, cells = head[best]
    width = max(len(c) for _, c in head)
    labels = [("" if c is None else str(c)) for c in cells] + [""] * (width - len(cells))
    last_header_row = row_number
    for (r0, c0), (r1, c1) in merged:
        if not r0 <= row_number <= r1:
            continue
        last_header_row = max(last_header_row, r1)
        top = head[index_of[r0]][1] if r0 in index_of else []
        text = top[c0] if 0 <= c0 < len(top) else None
        for c in range(max(c0, 0), min(c1, width - 1) + 1):
            if not labels[c].strip() and text not in (None, ""):
                labels[c] = str(text)
    # A two-row header (身份信息 over 公民身份号码 | 性别 …): a known label in the row below
    # replaces a group label or an empty cell above it.
    below = [c for n, c in head if n == row_number + 1]
    if below and _score(below[0]):
        for c, text in enumerate(below[0]):
            if c < width and not field_for(labels[c]) and field_for(text):
                labels[c] = str(text)
                last_header_row = max(last_header_row, row_number + 1)
    positions: dict[str, int] = {}
    for c, text in enumerate(labels):
        f = field_for(text)
        if f and f not in positions:
            positions[f] = c
    return HeaderMap(last_header_row, positions, labels)


TEMPLATE_EXAMPLE = {
    "name": "张三", "doc_type": "居民身份证",
    "id_number": make_resident_number("411402", dt.date(1990, 1, 1), 123), "sex": "男",
    "birth_date": "1990-01-01", "phone": "13800000000", "household_region": "411402",
    "education": "高中", "employment_status": "失业",
    "target_groups": "农村转移劳动力、脱贫劳动力（含监测帮扶对象）",
}


def write_template(target) -> None:
    headers = [LABELS[f] for f in TEMPLATE_FIELDS]
    example = [TEMPLATE_EXAMPLE.get(f, "") for f in TEMPLATE_FIELDS]
    write_xlsx(target, headers, [example], sheet="花名册")
