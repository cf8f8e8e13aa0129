"""The column table (people/roster.py): the importer's fast path agrees with the shared
parsers, the service and the importer give the same message for the same rule, and control
characters are refused on both paths."""

import datetime as dt

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import tests.people.test_import_kit as kit
from jineng.core.crypto import blind_index
from jineng.core.errors import ServiceError
from jineng.core.identity import IdentityError, IdentityHasher, identity_hash, make_resident_number
from jineng.orgs.models import Region
from jineng.people import roster, services
from jineng.people.importing import rows
from jineng.people.importing.columns import LABELS, detect_header
from jineng.people.importing.db import INSERT_COLUMNS, UPDATE_COLUMNS
from jineng.people.models import Person
from tests.people.test_import_kit import HEADERS, number, person, person_row, read_report

pytestmark = pytest.mark.django_db
run_import = kit.run_import  # the fixture

# Every column of the template, so every parser is reached.
TEMPLATE = [LABELS[c.field] for c in roster.COLUMNS]
CHECKS = settings(max_examples=150, deadline=None,
                  suppress_health_check=[HealthCheck.function_scoped_fixture,
                                         HealthCheck.too_slow])

_CJK = st.characters(min_codepoint=0x4E00, max_codepoint=0x4E40)
_ODD = st.sampled_from(list(" ·．•\t\n\x00\x07\x1b\x7f\x85　１xX-+()（）/、,;=<9"))
_TEXT = st.text(st.one_of(_CJK, _ODD, st.characters(max_codepoint=0x7F)), max_size=24)
_NUMBERS = st.one_of(st.integers(-10, 10**16), st.floats(allow_nan=False,
                                                         allow_infinity=False))
_DATES = st.dates(dt.date(1890, 1, 1), dt.date(2030, 12, 31))
_DATE_TEXT = st.builds(lambda d, f: d.strftime(f), _DATES,
                       st.sampled_from(["%Y-%m-%d", "%Y%m%d", "%Y/%m/%d", "%Y年%m月%d日",
                                        "%Y.%m.%d", "%Y-%m-%d 00:00:00"]))
_RESIDENT = st.builds(
    lambda code, born, seq: make_resident_number(code, born, seq),
    st.sampled_from(["411402", "110101", "140201", "810000", "999999"]),
    st.dates(dt.date(1900, 1, 1), dt.date(2030, 1, 1)), st.integers(0, 999),
)
_IDENTITY = st.one_of(
    _RESIDENT,
    _RESIDENT.map(lambda n: n[:-1] + n[-1].lower()),
    _RESIDENT.map(lambda n: f" {n[:6]} {n[6:]} "),
    _RESIDENT.map(lambda n: n.translate(str.maketrans("0123456789", "０１２３４５６７８９"))),
    _RESIDENT.map(lambda n: n[:17] + "0"),
    _RESIDENT.map(lambda n: n[:6] + n[8:17]),  # a 15-digit old number (not all valid)
    _RESIDENT.map(lambda n: n[:5] + "\x00" + n[6:]),
    _TEXT, _NUMBERS, _DATES, st.none(),
)
_CELLS = {
    "name": st.one_of(_TEXT, st.text(_CJK, min_size=1, max_size=60), _NUMBERS, st.none()),
    "doc_type": st.one_of(st.sampled_from([*roster.DOC_TYPES, "驾照", " 护 照 "]),
                          _TEXT, st.none()),
    "sex": st.one_of(st.sampled_from([*roster.SEX, "m", "男 ", "未知"]), _TEXT, _NUMBERS,
                     st.none()),
    "birth_date": st.one_of(_DATE_TEXT, _DATES, _NUMBERS, _TEXT, st.none()),
    "phone": st.one_of(st.from_regex(r"\A1[0-9]{10}\Z"),
                       st.from_regex(r"\A(\+86|0086|86)? ?1[3-9][0-9]{2}[- ]?[0-9]{4} ?[0-9]{4}\Z"),
                       _TEXT, _NUMBERS, st.none()),
    "household_region": st.one_of(st.sampled_from(["411402", "411402000000", "梁园区",
                                                   "商丘市梁园区", "999999", "鼓楼区"]),
                                  _TEXT, _NUMBERS, st.none()),
    "target_groups": st.one_of(st.sampled_from(["农村转移劳动力", "失业人员、退役军人",
                                                "rural_migrant", "外星人",
                                                "脱贫劳动力（含监测帮扶对象）"]),
                               _TEXT, st.none()),
    "education": st.one_of(st.sampled_from([*roster.EDUCATION, "幼儿园"]), _TEXT, _NUMBERS,
                           st.none()),
    "social_security_card": st.one_of(st.from_regex(r"\A[0-9A-Za-z ]{4,34}\Z"), _TEXT,
                                      _NUMBERS, st.none()),
}
_CELLS["residence_region"] = _CELLS["household_region"]
_CELLS["employment_status"] = st.one_of(st.sampled_from([*roster.EMPLOYMENT, "退休"]), _TEXT,
                                        st.none())


@pytest.fixture
def validator():
    header = detect_header([(1, TEMPLATE)], [])
    return rows.RowValidator(header, rows.References(Region.objects.get(code="411402")))


def _row(**cells) -> list:
    """A template row: a valid person, blank optional cells, `cells` over it."""
    base = {"name": "张三", "id_number": number(1)}
    base.update(cells)
    return [base.get(c.field) for c in roster.COLUMNS]


_PLAIN_INDEX = {c.field: k for k, c in enumerate(roster.PLAIN)}


def _position(field: str) -> int | None:
    fixed = {"name": rows.NAME, "sex": rows.SEX, "birth_date": rows.BIRTH, "phone": rows.PHONE,
             "household_region": rows.HOUSEHOLD, "residence_region": rows.RESIDENCE,
             "target_groups": rows.GROUPS}
    return fixed.get(field)


def _shared(field: str, cell, refs):
    """What the shared parser makes of `cell`: (value, None) or (None, message)."""
    if (cell is None or cell == "") and field != "name":
        return {"sex": "", "phone": "", "target_groups": (), "birth_date": None,
                "household_region": None, "residence_region": None}.get(field, ""), None
    try:
        if field in roster.NEEDS_REFERENCES:
            return roster.BY_FIELD[field].parse(cell, refs), None
        return roster.BY_FIELD[field].parse(cell), None
    except roster.FieldError as exc:
        return None, exc.message


@pytest.mark.parametrize("field", ["name", "sex", "phone", "household_region",
                                   "residence_region", "target_groups", "education",
                                   "employment_status", "social_security_card"])
def test_fast_path_agrees_with_the_shared_parser(validator, field):
    """A generated cell in one column of an otherwise good row (the number says nothing of
    sex when the field is sex: a passport): the record holds what the column's parser
    returns, or the row is refused with the parser's message after the file's label. Twice,
    so the memoised answer is checked too."""

    @CHECKS
    @given(cell=_CELLS[field])
    def check(cell):
        over = {field: cell}
        if field == "sex":
            over.update(doc_type="护照", id_number="E12345678")
        value, message = _shared(field, cell, validator.refs)
        for _ in range(2):
            record, errors = validator(2, _row(**over))
            if message is None:
                assert errors == []
                position = _position(field)
                got = (record[position] if position is not None
                       else record[rows.PLAIN][_PLAIN_INDEX[field]])
                assert got == value or (field == "sex" and got == value == "")
            else:
                assert errors == [f"{LABELS[field]}：{message}"]

    check()


def test_identity_fast_path_agrees_with_the_shared_parser(validator):
    """Number, document type and birth-date cells generated together: the same accepted
    number (and hash, date and sex) or the same messages as roster's parsers give."""

    @CHECKS
    @given(value=_IDENTITY, kind=st.one_of(st.none(), st.sampled_from(["居民身份证", "护照"])),
           birth=_CELLS["birth_date"])
    def check(value, kind, birth):
        expected, errors = None, []
        doc = None
        if kind is not None:
            doc = roster.doc_type(kind)
        try:
            expected = roster.identity(value, doc)
        except (roster.FieldError, IdentityError) as exc:
            errors.append(f"{LABELS['id_number']}：{exc.message}")
        born, message = _shared("birth_date", birth, None)
        if message:
            errors.append(f"{LABELS['birth_date']}：{message}")
        if expected is not None and born is not None:
            errors += [f"{LABELS[f]}：{m}" for f, m in
                       roster.identity_disagreements(expected, born, "").items()]
        record, got = validator(2, _row(id_number=value, doc_type=kind, birth_date=birth))
        assert got == errors
        if not errors:
            assert (record[rows.DOC_TYPE], record[rows.NUMBER]) == (expected.doc_type,
                                                                     expected.number)
            assert record[rows.HASH] == identity_hash(expected.doc_type, expected.number)
            assert record[rows.BIRTH] == (expected.birth_date or born)
            assert record[rows.SEX] == expected.sex

    check()


def test_one_identity_hash():
    """The service, the importer and the keyed blind index give one hash."""
    hasher = IdentityHasher.current()
    for doc_type, value in (("resident", number(3)), ("passport", "E12345678")):
        expected = blind_index(f"{doc_type}:{value}", purpose="identity")
        assert services.identity_hash(doc_type, value) == expected
        assert rows.identity_hash(doc_type, value) == expected
        assert hasher(doc_type, value) == expected
    assert hasher.resident(number(3)) == identity_hash("resident", number(3))


# The same bad value through the service and through an import: the same message.
SAME_RULE = [
    ("name", "张三3", "姓名"),
    ("name", "张" * 51, "姓名"),
    ("sex", "未知", "性别"),
    ("phone", "12345", "手机号"),
    ("birth_date", "去年春天", "出生日期"),
    ("household_region", "999999", "户籍地"),
    ("education", "幼儿园", "文化程度"),
    ("employment_status", "退休", "就业状态"),
    ("target_groups", "外星人", "重点群体"),
    ("social_security_card", "12-34", "社保卡号"),
    ("name", "张\x00三", "姓名"),
    ("phone", "138\x000000000", "手机号"),
    ("social_security_card", "A1234\x1b56", "社保卡号"),
]


@pytest.mark.parametrize(("field", "bad", "header"), SAME_RULE)
def test_the_service_and_the_importer_give_the_same_message(user_named, tmp_path, field,
                                                            bad, header):
    headers = [*HEADERS]
    row = dict(zip(HEADERS, person_row(41), strict=True))
    row[header] = bad
    path = kit.write_xlsx(tmp_path / "a.xlsx", [headers, [row[h] for h in headers]])
    from jineng.people.importing.run import ImportOptions, import_file

    import_file(path, ImportOptions(region=Region.objects.get(code="411402"), workers=0,
                                    report_path=str(tmp_path / "r.xlsx")))
    reason = read_report(tmp_path / "r.xlsx")[1][len(headers)]
    prefix = f"第 2 行 {header}："
    assert reason.startswith(prefix)
    imported = reason[len(prefix):]

    data = {"name": kit.person_name(43), "id_number": number(43), "household_region": "411402",
            field: bad}
    with pytest.raises(ServiceError) as exc:
        services.person_create(actor=user_named("county_411402"), **data)
    assert exc.value.errors[field] == imported
    assert not Person.objects.filter(name__startswith="测试四").exists()


def test_control_characters_are_refused_with_a_chinese_message():
    for raw in ("张\x00三", "a\x07b", "x\x9by"):
        with pytest.raises(roster.FieldError, match="控制字符"):
            roster.text(raw)
    with pytest.raises(roster.FieldError, match="控制字符"):
        roster.identity_cell(number(1)[:9] + "\x00" + number(1)[9:])
    assert roster.text("张\t三\n") == "张 三"  # tabs and line breaks are spaces


def test_an_import_keeps_its_clean_rows_beside_rows_with_nul(tmp_path, run_import):
    """Partial mode: a NUL in a name, a number or a card refuses that row only, with the row
    and the field named; the clean rows are registered (on PostgreSQL too, which cannot
    store a NUL at all)."""
    rows_ = [HEADERS, person_row(61), person_row(63, 姓名="张\x00三"),
             person_row(65, 身份证号=number(65)[:10] + "\x00" + number(65)[10:]),
             person_row(67, 社保卡号="A123\x00456"), person_row(69)]
    result = run_import(kit.write_xlsx(tmp_path / "a.xlsx", rows_))
    assert (result.created, result.rejected, result.rolled_back) == (2, 3, False)
    reasons = [r[len(HEADERS)] for r in read_report(tmp_path / "report.xlsx")[1:]]
    assert reasons == [
        "第 3 行 姓名：含有不可见的控制字符（如 NUL），请删除后重新填写",
        "第 4 行 身份证号：含有不可见的控制字符（如 NUL），请删除后重新填写",
        "第 5 行 社保卡号：含有不可见的控制字符（如 NUL），请删除后重新填写",
    ]
    assert person(61) is not None and person(69) is not None
    assert person(63) is None and person(67) is None


def test_a_person_with_nul_in_the_name_is_refused_not_a_server_error(user_named):
    with pytest.raises(ServiceError) as exc:
        services.person_create(actor=user_named("county_411402"), id_number=number(71),
                               name="张\x00三", household_region="411402")
    assert exc.value.errors == {"name": "含有不可见的控制字符（如 NUL），请删除后重新填写"}
    assert person(71) is None


def test_every_plain_column_is_written_by_the_importer():
    """A plain column of the table reaches the insert and the update without more code."""
    for column in roster.PLAIN:
        assert column.db_column in INSERT_COLUMNS
        assert column.db_column in UPDATE_COLUMNS
        assert Person._meta.get_field(column.field).column == column.db_column
    assert [LABELS[f] for f in services.PERSON_INPUT_FIELDS] == TEMPLATE


def test_the_person_form_and_archive_take_their_plain_columns_from_the_table(client_for,
                                                                             user_named):
    from jineng.people.forms import PersonForm

    form = PersonForm()
    assert [f for f in form.fields if f in services.PERSON_INPUT_FIELDS] == list(
        services.PERSON_INPUT_FIELDS)
    person = services.person_create(actor=user_named("county_411402"), id_number=number(81),
                                    name="王五", household_region="411402", education="大专",
                                    employment_status="失业", social_security_card="A1234567")
    page = client_for("county_411402").get(reverse("people:person_detail", args=[person.pk]))
    page = page.content.decode()
    assert "<dt>文化程度</dt><dd>大专/高职</dd>" in page
    assert "<dt>就业状态</dt><dd>失业</dd>" in page
    assert "A1234567" not in page



def test_a_whole_number_typed_as_a_date_is_named_as_excel_shows_it():
    """A cell holding 0 comes as the float 0.0; the message names it as the sheet shows it,
    on the shared parser as on the fast path (hypothesis found them disagreeing)."""
    for cell in (0.0, 0, 90000.0):
        with pytest.raises(roster.FieldError) as refused:
            roster.date(cell)
        assert refused.value.message == f"{int(cell)} 不是日期"
