"""The bounded-memory .xlsx reader reads every cell shape real workbooks contain exactly as
python-calamine does, whatever the size of the blocks it cuts the sheet into."""

import datetime as dt
import zipfile
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

from jineng.core import xlsx_stream
from jineng.core.xlsx_stream import XlsxStream

NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org'
        '/package/2006/content-types"><Default Extension="rels" ContentType="application/'
        'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType='
        '"application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName='
        '"/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.'
        'xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.'
        'sharedStrings+xml"/><Override PartName="/xl/styles.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>'),
    "_rels/.rels": (
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
        'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://'
        'schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
        'Target="xl/workbook.xml"/></Relationships>'),
    "xl/workbook.xml": (
        f'<?xml version="1.0" encoding="UTF-8"?><workbook {NS} xmlns:r="http://schemas.'
        'openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="花名册" '
        'sheetId="1" r:id="rId1"/></sheets></workbook>'),
    "xl/_rels/workbook.xml.rels": (
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
        'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://'
        'schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
        'Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.'
        'openxmlformats.org/officeDocument/2006/relationships/sharedStrings" '
        'Target="sharedStrings.xml"/><Relationship Id="rId3" Type="http://schemas.'
        'openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>'
        '</Relationships>'),
    "xl/styles.xml": (
        f'<?xml version="1.0" encoding="UTF-8"?><styleSheet {NS}><numFmts count="1"><numFmt '
        'numFmtId="164" formatCode="yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot;"/>'
        '</numFmts><cellXfs count="3"><xf numFmtId="0"/><xf numFmtId="14"/>'
        '<xf numFmtId="164"/></cellXfs></styleSheet>'),
    "xl/sharedStrings.xml": (
        f'<?xml version="1.0" encoding="UTF-8"?><sst {NS} count="3" uniqueCount="3">'
        '<si><t>王五</t></si><si><t xml:space="preserve"> 410102199001011234 </t></si>'
        '<si><r><t>农村</t></r><r><rPr><b/></rPr><t>转移劳动力</t></r></si></sst>'),
}
ROWS = [
    # header, inline strings as xlsxwriter writes them
    '<row r="1"><c r="A1" t="inlineStr"><is><t>姓名</t></is></c>'
    '<c r="B1" t="inlineStr"><is><t>身份证号</t></is></c>'
    '<c r="C1" t="inlineStr"><is><t>出生日期</t></is></c></row>',
    # shared strings (Excel's way), a date by a built-in and by a custom format, a number
    '<row r="2" spans="1:6"><c r="A2" t="s"><v>0</v></c><c r="B2" t="s"><v>1</v></c>'
    '<c r="C2" s="1"><v>32874</v></c><c r="D2" s="2"><v>44666</v></c><c r="E2"><v>3.5</v></c>'
    '<c r="F2" t="s"><v>2</v></c></row>',
    # formulas with their cached values, a boolean, an error
    '<row r="3"><c r="A3"><f>1+1</f><v>2</v></c><c r="B3" t="str"><f>"甲"&amp;"乙"</f>'
    '<v>甲乙</v></c><c r="C3" t="b"><v>1</v></c><c r="D3" t="e"><v>#N/A</v></c></row>',
    # rich inline text, spaces kept, entities
    '<row r="4"><c r="A4" t="inlineStr"><is><r><t>张</t></r><r><t>三</t></r></is></c>'
    '<c r="B4" t="inlineStr"><is><t xml:space="preserve"> 李 四 </t></is></c>'
    '<c r="C4" t="inlineStr"><is><t>A&amp;B &lt;1&gt;</t></is></c></row>',
    # gaps, and styled empty cells between values
    '<row r="5"><c r="A5" t="inlineStr"><is><t>甲</t></is></c><c r="B5" s="1"/>'
    '<c r="D5"><v>7</v></c><c r="E5" s="2"/></row>',
    '<row r="7" customHeight="1"><c r="C7" t="inlineStr"><is><t>隔行</t></is></c></row>',
    '<row r="8"/>',
    # attributes in another order, a row without its number
    '<row r="9"><c s="0" r="A9" t="inlineStr"><is><t>乙</t></is></c></row>',
    '<row><c r="A10" t="inlineStr"><is><t>丙</t></is></c><c r="B10"><v>1.25E+17</v></c></row>',
    '<row r="11"><c r="A11" t="inlineStr"><is><t/></is></c>'
    '<c r="B11" t="inlineStr"><is><t>末行</t></is></c></row>',
]


def write_workbook(path, rows=ROWS, compression=zipfile.ZIP_DEFLATED) -> str:
    sheet = (f'<?xml version="1.0" encoding="UTF-8"?><worksheet {NS}><dimension ref="A1:F11"/>'
             f'<sheetData>{"".join(rows)}</sheetData></worksheet>')
    with zipfile.ZipFile(path, "w", compression) as z:
        for name, text in {**PARTS, "xl/worksheets/sheet1.xml": sheet}.items():
            z.writestr(name, text)
    return str(path)


def calamine_rows(path) -> list[list]:
    sheet = CalamineWorkbook.from_path(path).get_sheet_by_index(0)
    return [[c for c in row] for row in sheet.iter_rows()]


def stream_rows(path) -> list[list]:
    stream = XlsxStream(path)
    try:
        return [cells for _, cells in stream.rows()]
    finally:
        stream.close()


def _trim(rows: list[list]) -> list[list]:
    """Trailing empty cells dropped (calamine pads every row to the sheet's width), and an
    error value as calamine gives it (empty; this reader keeps the text, e.g. #N/A, which
    says more in an importer's message). Numbers compare equal as int or float."""
    out = []
    for row in rows:
        row = ["" if isinstance(c, str) and c.startswith("#") else c for c in row]
        while row and row[-1] == "":
            row.pop()
        out.append(row)
    return out


@pytest.mark.parametrize("compression", [zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED])
@pytest.mark.parametrize("chunk", [1 << 20, 97, 7])
def test_every_cell_shape_reads_as_calamine_reads_it(tmp_path, monkeypatch, chunk,
                                                     compression):
    monkeypatch.setattr(xlsx_stream, "CHUNK", chunk)  # blocks cut at many places
    path = write_workbook(tmp_path / "shapes.xlsx", compression=compression)
    assert _trim(stream_rows(path)) == _trim(calamine_rows(path))


def _many_rows(count=3000) -> list[str]:
    return [f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>人{n}</t></is></c>'
            f'<c r="B{n}"><v>{n * 7919 % 100003}</v></c></row>' for n in range(12, count)]


@pytest.mark.parametrize("damage", ["flipped bytes", "wrong checksum"])
def test_a_damaged_sheet_is_refused_naming_the_last_good_row(tmp_path, monkeypatch, damage):
    from jineng.core import spreadsheet_reader

    monkeypatch.setattr(spreadsheet_reader, "STREAM_ABOVE_BYTES", -1)
    monkeypatch.setattr(xlsx_stream, "CHUNK", 4096)
    path = write_workbook(tmp_path / "many.xlsx", ROWS + _many_rows())
    data = bytearray(Path(path).read_bytes())
    with zipfile.ZipFile(path) as z:
        info = z.getinfo("xl/worksheets/sheet1.xml")
    if damage == "flipped bytes":
        start = info.header_offset + 30 + len(info.filename) + info.compress_size * 3 // 4
        data[start: start + 8] = bytes(b ^ 0x5A for b in data[start: start + 8])
    else:  # the CRC-32 in the central directory (and local header) no longer matches
        crc = info.CRC.to_bytes(4, "little")
        data = bytearray(data.replace(crc, (info.CRC ^ 1).to_bytes(4, "little")))
    Path(path).write_bytes(data)
    source = spreadsheet_reader.open_rows(path)
    rows = []
    with pytest.raises(spreadsheet_reader.ReadError) as refused:
        for part in source.parts():
            rows.extend(source.expand(part))
    assert "已损坏" in refused.value.message
    last_good = int(refused.value.message.split("第 ")[1].split(" 行")[0])
    assert rows and rows[-1][0] == last_good  # what came before the damage was read


def test_values_are_typed_as_the_importer_expects(tmp_path):
    rows = stream_rows(write_workbook(tmp_path / "shapes.xlsx"))
    assert rows[1] == ["王五", " 410102199001011234 ", dt.date(1990, 1, 1),
                       dt.date(2022, 4, 15), 3.5, "农村转移劳动力"]
    assert rows[2] == [2, "甲乙", True, "#N/A"]
    assert rows[3] == ["张三", " 李 四 ", "A&B <1>"]
    assert rows[4] == ["甲", "", "", 7, ""]
    assert rows[6] == ["", "", "隔行"] and rows[7] == []  # row 8 is empty
    assert rows[8] == ["乙"] and rows[9] == ["丙", 125000000000000000]
    assert rows[10] == ["", "末行"]


def test_block_boundaries_do_not_change_rows(tmp_path, monkeypatch):
    """Many plain rows (the fast path) with odd ones among them, cut into small blocks."""
    plain = [f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>人{n}</t></is></c>'
             f'<c r="B{n}"><v>{n}</v></c></row>' for n in range(12, 400)]
    path = write_workbook(tmp_path / "many.xlsx", ROWS + plain)
    expected = stream_rows(path)
    monkeypatch.setattr(xlsx_stream, "CHUNK", 301)
    assert stream_rows(path) == expected
    assert _trim(expected) == _trim(calamine_rows(path))
