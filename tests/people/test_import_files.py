"""One test per ugly thing real roster files contain."""

import codecs
import datetime as dt
import functools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import tests.people.test_import_kit as kit
from jineng.people import roster
from jineng.people.importing.columns import detect_header, write_template
from jineng.people.models import Person
from tests.people.test_import_kit import (
    HEADERS,
    number,
    person,
    person_row,
    read_report,
    write_csv,
    write_xlsx,
)

pytestmark = pytest.mark.django_db
run_import = kit.run_import  # the fixture


@pytest.fixture(autouse=True, params=["calamine", "stream"])
def xlsx_reader(request, monkeypatch):
    """Every test runs with both .xlsx readers: calamine (small sheets) and the bounded-memory
    stream reader (large sheets)."""
    from jineng.core import spreadsheet_reader

    if request.param == "stream":
        monkeypatch.setattr(spreadsheet_reader, "STREAM_ABOVE_BYTES", -1)
    return request.param


def test_identity_numbers_stored_as_numbers_are_refused_not_guessed(tmp_path, run_import):
    seq = next(s for s in range(1, 99, 2) if number(s)[-1] != "X")
    as_float = float(number(seq))  # what Excel keeps: 15 significant digits
    path = write_xlsx(tmp_path / "a.xlsx", [HEADERS, person_row(seq, 身份证号=as_float)])
    result = run_import(path)
    assert (result.created, result.rejected) == (0, 1)
    reason = read_report(tmp_path / "report.xlsx")[1][len(HEADERS)]
    assert reason.startswith("第 2 行 身份证号：")
    assert "15 位以后的数字已丢失" in reason
    assert person(seq) is None


def test_fifteen_digit_legacy_number_in_a_number_cell_is_exact_and_accepted(tmp_path, run_import):
    legacy = int("411402900101123")  # 15 digits: Excel keeps it exactly
    path = write_xlsx(tmp_path / "a.xlsx", [HEADERS, person_row(2, 身份证号=legacy, 性别="男",
                                                                  出生日期="")])
    result = run_import(path)
    assert result.created == 1, read_report(tmp_path / "report.xlsx")
    assert Person.objects.get(name=kit.person_name(2)).birth_date == dt.date(1990, 1, 1)


def test_excel_serial_dates_and_real_date_cells(tmp_path, run_import):
    serial = (dt.date(1990, 1, 1) - dt.date(1899, 12, 30)).days
    path = write_xlsx(tmp_path / "a.xlsx", [
        HEADERS,
        person_row(1, 出生日期=serial),  # a number cell without a date format
        person_row(3, 出生日期=dt.date(1990, 1, 1)),  # a date cell
        person_row(5, 出生日期=serial + 1),  # disagrees with the number
    ])
    result = run_import(path)
    assert (result.created, result.rejected) == (2, 1)
    reason = read_report(tmp_path / "report.xlsx")[1][len(HEADERS)]
    assert "出生日期：1990-01-02 与证件号码中的出生日期 1990-01-01 不一致" in reason


@pytest.mark.parametrize("text", ["1990-01-01", "1990/1/1", "1990.1.1", "1990年1月1日",
                                  "19900101", "1990-1-1 00:00:00", "１９９０－０１－０１"])
def test_each_date_text_format(text, tmp_path, run_import):
    path = write_xlsx(tmp_path / "a.xlsx", [HEADERS, person_row(7, 出生日期=text)])
    assert run_import(path).created == 1


def test_date_parser_reasons():
    assert roster.date(19900101) == dt.date(1990, 1, 1)
    with pytest.raises(roster.FieldError, match="不是有效的日期"):
        roster.date("1990-02-30")
    with pytest.raises(roster.FieldError, match="不是可识别的日期"):
        roster.date("去年春天")


def test_full_width_characters_spaces_and_line_breaks(tmp_path, run_import):
    wide_number = number(9).translate(str.maketrans("0123456789X", "０１２３４５６７８９Ｘ"))
    path = write_xlsx(tmp_path / "a.xlsx", [HEADERS, person_row(
        9, name=" 欧阳\n 娜娜 ", 身份证号=f" {wide_number[:6]} {wide_number[6:]}\n",
        手机号="１３８ ００００-０００９", 户籍地="４１１４０２ ", 性别=" 男\n",
        重点群体="农村转移劳动力，脱贫劳动力", 文化程度="大专\n",
    )])
    result = run_import(path)
    assert result.created == 1, read_report(tmp_path / "report.xlsx")
    p = Person.objects.get(name="欧阳娜娜")
    assert p.id_masked == number(9)[:4] + "*" * 10 + number(9)[-4:]
    assert p.phone_masked == "138****0009"
    assert p.education == "college"
    assert p.target_groups == [
        "poverty_alleviated", "rural_migrant"]


def test_title_rows_and_merged_header_cells(tmp_path, run_import):
    rows = [
        [None] * 10,
        ["商丘市梁园区 2024 年职业技能培训花名册"] + [None] * 9,
        ["填报单位：梁园区人社局"] + [None] * 9,
        ["姓名", "身份信息", None, None, "手机号", "户籍所在地", "学历", "就业状态", "人员类别",
         "社会保障卡号"],
        [None, "公民身份号码", "性别", "出生年月", None, None, None, None, None, None],
        person_row(11),
        [None] * 10,
        person_row(13),
        ["合计：2 人"] + [None] * 9,
        ["制表人：李四"] + [None] * 9,
    ]
    # The title spans the sheet; 姓名 is merged down over the two header rows.
    merges = [(1, 0, 1, 9, rows[1][0]), (3, 1, 3, 3, "身份信息"), (3, 0, 4, 0, "姓名"),
              (3, 4, 4, 4, "手机号")]
    path = write_xlsx(tmp_path / "a.xlsx", rows, merges=merges)
    result = run_import(path)
    assert (result.rows, result.created, result.rejected) == (2, 2, 0), read_report(
        tmp_path / "report.xlsx")
    assert result.header_row == 5
    assert result.columns["身份证号"] == "公民身份号码"


@pytest.mark.parametrize("id_header", ["身份证号", "公民身份号码", "证件号码", "身份证号码",
                                       "身份证号（必填）", "*证件号码"])
def test_header_synonyms(id_header, tmp_path, run_import):
    headers = [id_header, "名字", "联系电话", "户籍地"]
    path = write_csv(tmp_path / "a.csv", [headers, [number(15), "周一", "13900000015", "梁园区"]])
    result = run_import(path)
    assert result.created == 1
    assert person(15).household_region.code == "411402"


def test_columns_in_any_order_and_unknown_columns_ignored(tmp_path, run_import):
    order = [9, 0, 4, 1, 7, 3, 2, 8, 5, 6]
    headers = ["备注"] + [HEADERS[i] for i in order]
    row = person_row(17)
    path = write_xlsx(tmp_path / "a.xlsx", [headers, ["无"] + [row[i] for i in order]])
    assert run_import(path).created == 1
    assert person(17).employment_status == "unemployed"


def test_notes_right_of_the_table_are_not_read_as_a_missing_column(tmp_path, run_import):
    """The file has no 证件类型 column; a note far to the right of a row below the first
    screenful is not taken for one."""
    rows = [HEADERS] + [person_row(s) for s in range(401, 481, 2)]
    rows[-1] = rows[-1] + ["", "备注：已核对"]
    result = run_import(write_xlsx(tmp_path / "a.xlsx", rows))
    assert (result.created, result.rejected) == (40, 0), read_report(tmp_path / "report.xlsx")


def test_gbk_csv(tmp_path, run_import):
    path = write_csv(tmp_path / "a.csv", [HEADERS, person_row(19, name="赵钱孙")], "gbk")
    assert run_import(path).created == 1
    assert Person.objects.filter(name="赵钱孙").exists()


def test_gb18030_csv_with_rare_characters(tmp_path, run_import):
    path = write_csv(tmp_path / "a.csv", [HEADERS, person_row(21, name="王𠀀")], "gb18030")
    assert run_import(path).created == 1
    assert Person.objects.filter(name="王𠀀").exists()


def test_utf8_bom_csv(tmp_path, run_import):
    path = tmp_path / "a.csv"
    write_csv(path, [HEADERS, person_row(23, name="钱多多")], "utf-8")
    path.write_bytes(codecs.BOM_UTF8 + path.read_bytes())
    result = run_import(str(path))
    assert result.created == 1  # the BOM does not end up in the 姓名 header
    assert Person.objects.filter(name="钱多多").exists()


def test_a_broken_xls_is_refused_with_a_reason(tmp_path, run_import):
    """A real .xls roster is in test_import_xls.py; here a file with the .xls signature and
    nothing behind it."""
    from jineng.core.spreadsheet_reader import ReadError, sniff_kind

    path = tmp_path / "a.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504)
    assert sniff_kind(path) == "xls"
    with pytest.raises(ReadError, match="无法读取 Excel 文件"):
        run_import(str(path))


def test_blank_rows_and_trailing_rows(tmp_path, run_import):
    rows = [HEADERS, [None] * 10, person_row(25), ["", " ", None], person_row(27), [None] * 10,
            [None] * 10]
    result = run_import(write_xlsx(tmp_path / "a.xlsx", rows))
    assert (result.rows, result.created) == (2, 2)


def test_excel_says_a_missing_header(tmp_path, run_import):
    from jineng.people.importing.run import ImportCannotRun

    path = write_csv(tmp_path / "a.csv", [["a", "b"], ["1", "2"]])
    with pytest.raises(ImportCannotRun, match="没有找到表头"):
        run_import(path)


def test_each_field_is_validated_with_its_name(tmp_path, run_import):
    rows = [HEADERS,
            person_row(29, 手机号="12345"),
            person_row(31, 户籍地="999999"),
            person_row(33, 重点群体="外星人"),
            person_row(35, 性别="女"),
            person_row(37, 文化程度="幼儿园"),
            person_row(39, 身份证号=number(39)[:-1] + ("0" if number(39)[-1] != "0" else "1")),
            person_row(41, 姓名="")]
    result = run_import(write_xlsx(tmp_path / "a.xlsx", rows))
    assert result.rejected == 7
    reasons = [r[len(HEADERS)] for r in read_report(tmp_path / "report.xlsx")[1:]]
    assert reasons[0].startswith("第 2 行 手机号：")
    assert reasons[1] == "第 3 行 户籍地：区划代码 999999 不存在"
    assert reasons[2] == "第 4 行 重点群体：“外星人”不在重点群体目录中"
    assert reasons[3] == "第 5 行 性别：“女”与证件号码中的性别“男”不一致"
    assert reasons[4] == "第 6 行 文化程度：“幼儿园”不是可识别的文化程度"
    assert reasons[5].startswith("第 7 行 身份证号：证件号码校验位应为 ")
    assert reasons[6] == "第 8 行 姓名：不能为空"


def test_region_by_name_and_full_name(tmp_path, run_import):
    rows = [HEADERS, person_row(43, 户籍地="睢阳区"), person_row(45, 户籍地="河南省商丘市梁园区"),
            person_row(47, 户籍地="")]
    assert run_import(write_xlsx(tmp_path / "a.xlsx", rows)).created == 3
    assert person(43).household_region.code == "411403"
    assert person(45).household_region.code == "411402"
    assert person(47).household_region.code == "411402"  # the import's default region


def test_template_has_chinese_headers_and_round_trips(tmp_path, run_import):
    path = tmp_path / "template.xlsx"
    write_template(str(path))
    rows = read_report(path)
    assert rows[0][:3] == ["姓名", "证件类型", "身份证号"]
    head = detect_header([(1, rows[0])], [])
    assert head and not head.missing()
    assert run_import(str(path)).created == 1


@settings(max_examples=400, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seq=st.integers(0, 999), days=st.integers(-30000, 20000),
       code=st.sampled_from(["411402", "110101", "810000", "999999", "411400"]),
       tweak=st.sampled_from(["", "check", "lower", "month", "wide", "spaced"]))
def test_fast_identity_path_agrees_with_the_general_parser(seq, days, code, tweak):
    """The importer's fast path for 18-digit numbers (as written, or normalised as
    core.identity does) accepts exactly what core.identity.parse_identity accepts, with the
    same result."""
    from jineng.core.identity import IdentityError, normalise, parse_identity

    born = dt.date(1970, 1, 1) + dt.timedelta(days=days)
    raw = number(seq, code, born)
    if tweak == "check":
        raw = raw[:17] + ("0" if raw[17] != "0" else "1")
    elif tweak == "lower":
        raw = raw.lower()
    elif tweak == "month":
        raw = raw[:10] + "13" + raw[12:]
    elif tweak == "wide":
        raw = raw.translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789X"})
    elif tweak == "spaced":
        raw = f" {raw[:6]} {raw[6:14]}\n{raw[14:]} "
    fast = _resident_numbers()(normalise(raw))
    try:
        slow = parse_identity(raw)
    except IdentityError:
        slow = None
    if fast is not None:
        assert fast == (slow.doc_type, slow.number, slow.birth_date, slow.sex,
                        slow.birth_date.isoformat())
    elif slow is not None:
        assert slow.doc_type != "resident"  # e.g. an HMT permit number


@functools.cache
def _resident_numbers():
    from jineng.core.identity import HMT_ADDRESS_CODES
    from jineng.core.reference import known_division_codes
    from jineng.people.importing.rows import ResidentNumbers

    return ResidentNumbers(known_division_codes() - set(HMT_ADDRESS_CODES), dt.date.today())


@pytest.mark.parametrize("raw", ["13800000000", "138 0000 0000", "+8613800000000",
                                 "008613800000000", "8613800000000", "１３８００００００００",
                                 "12345", "0370-1234567", "1380000000", "23800000000"])
def test_phone_rule_is_the_registrys(raw):
    """The importer's per-row phone check accepts exactly what the registry accepts."""
    from jineng.core.errors import ServiceError
    from jineng.people import services

    try:
        expected = services.phone_normalise(raw)
    except ServiceError:
        expected = None
    try:
        got = roster.phone(raw)
    except roster.FieldError:
        got = None
    assert got == expected


def test_names_the_api_refuses_are_refused_by_the_importer_too(tmp_path, run_import):
    rows = [HEADERS, person_row(51, 姓名="=1+1"), person_row(53, 姓名="<img src=x>"),
            person_row(55, 姓名="张三")]
    result = run_import(write_xlsx(tmp_path / "a.xlsx", rows))
    assert (result.created, result.rejected) == (1, 2)
    reasons = [r[len(HEADERS)] for r in read_report(tmp_path / "report.xlsx")[1:]]
    assert reasons == ["第 2 行 姓名：“=1+1”含有数字或符号",
                       "第 3 行 姓名：“<img src=x>”含有数字或符号"]
    assert person(51) is None and person(55).name == "张三"


def test_arabic_indic_digits_are_refused_not_stored_as_another_number(tmp_path, run_import):
    typed = number(57).translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    rows = [HEADERS, person_row(57, 身份证号=typed)]
    result = run_import(write_xlsx(tmp_path / "a.xlsx", rows))
    assert (result.created, result.rejected) == (0, 1)
    assert "17 位数字" in read_report(tmp_path / "report.xlsx")[1][len(HEADERS)]


@pytest.mark.parametrize("id_header", ["公民身份号码", "居民身份证号"])
def test_a_resident_card_column_is_not_read_as_another_document(id_header, tmp_path, run_import):
    from jineng.core.identity import make_resident_number

    # 9… looks like a foreigner's permanent-residence number, but the column says resident.
    foreign_like = make_resident_number("911840", dt.date(1985, 6, 7), 3)
    path = write_csv(tmp_path / "a.csv", [[id_header, "姓名", "户籍地"],
                                          [foreign_like, "周二", "梁园区"]])
    result = run_import(path)
    assert (result.created, result.rejected) == (0, 1)
    reason = read_report(tmp_path / "report.xlsx")[1][3]
    assert "地址码 911840" in reason
