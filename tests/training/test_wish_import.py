"""Importing a survey roster of training wishes (摸排花名册): people not yet registered are
registered through the registry's importer, registered ones are found and never changed; a
bad row refuses the whole file naming each bad row and field; a person with the same
occupation twice is refused naming both rows; nothing is half-written."""

import csv
import datetime as dt
import io
import itertools

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from jineng.core.identity import make_resident_number
from jineng.core.models import AuditEvent
from jineng.core.refusals import OutOfScope
from jineng.core.spreadsheets import write_xlsx
from jineng.orgs.models import Region
from jineng.people.importing.rows import identity_hash
from jineng.people.models import Person
from jineng.training import wishes
from jineng.training.models import TrainingWish, WishSource
from tests.training import factories

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_demo_wishes")]

HEADER = ["姓名", "身份证号", "户籍地", "重点群体", "意向职业", "意向等级", "可参训地区",
          "可参训起", "可参训止", "可参训时段"]
YEAR = dt.date.today().year
_seq = itertools.count(400)


def _number(region="411403"):
    return make_resident_number(region, dt.date(1985, 5, 5), next(_seq))


def _csv(rows, header=HEADER) -> SimpleUploadedFile:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return SimpleUploadedFile("摸排.csv", buffer.getvalue().encode("utf-8"))


def _xlsx(rows, header=HEADER) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    write_xlsx(buffer, header, rows)
    return SimpleUploadedFile("摸排.xlsx", buffer.getvalue())


def _import(user_named, upload, actor="county_411403", region="411403"):
    return wishes.wish_import(actor=user_named(actor), upload=upload, file_name=upload.name,
                              region=Region.objects.get(code=region))


def _person(number):
    return Person.objects.filter(id_hash=identity_hash("resident", number)).first()


def _row(name, number, occupation="电工", level="四级", region="睢阳区", note="周末",
         household="411403", groups="农村转移劳动力"):
    return [name, number, household, groups, occupation, level, region, f"{YEAR}-01-01",
            f"{YEAR + 1}-06-30", note]


@pytest.mark.parametrize("make", [_csv, _xlsx], ids=["csv", "xlsx"])
def test_a_roster_registers_new_people_finds_registered_ones_and_records_each_wish(
        user_named, make):
    known = factories.person("411403", "老学员")
    elsewhere = factories.person("411402", "外县人")  # registered in 梁园区, out of this scope
    new_number = _number()
    result = _import(user_named, make([
        _row("新学员", new_number),
        _row("新学员", new_number, occupation="家政服务员", level=""),
        _row("老学员", known.full_id, region=""),  # the default region
        _row("外县人", elsewhere.full_id, household="411402"),
    ]))
    assert result.ok, result.messages()
    assert (result.rows, result.created, result.updated, result.registered) == (4, 4, 0, 1)
    new = _person(new_number)
    assert new is not None and new.name == "新学员" and new.household_region.code == "411403"
    assert new.target_groups == ["rural_migrant"]
    assert TrainingWish.objects.filter(person=new, is_active=True).count() == 2
    wish = TrainingWish.objects.get(person=known)
    assert (wish.source, wish.region.code, wish.level.code, wish.time_note) == (
        WishSource.SURVEY, "411403", "4", "周末")
    assert wish.available_to == dt.date(YEAR + 1, 6, 30)
    elsewhere.refresh_from_db()
    assert elsewhere.name == "外县人" and elsewhere.household_region.code == "411402"
    assert TrainingWish.objects.filter(person=elsewhere).exists()
    assert [r.outcome for r in result.imported] == ["新增"] * 4
    assert all("*" in r.name for r in result.imported)  # names masked on the result
    event = AuditEvent.objects.get(action="wish_import")
    assert event.changes["created"] == 4 and event.changes["people_registered"] == 1


def test_a_title_row_and_a_footer_line_are_not_rows(user_named):
    number = _number()
    buffer = io.BytesIO()
    write_xlsx(buffer, ["2026 年睢阳区培训意愿摸排表"], [
        [], HEADER, _row("有标题", number), [], ["合计：1 人"], ["制表人：张科员"]])
    result = _import(user_named, SimpleUploadedFile("摸排.xlsx", buffer.getvalue()))
    assert result.ok, result.messages()
    assert (result.rows, result.created) == (1, 1) and result.imported[0].row == 4


def test_importing_again_updates_and_duplicates_nothing(user_named):
    number = _number()
    _import(user_named, _csv([_row("再来一次", number)]))
    again = _import(user_named, _csv([_row("再来一次", number, note="晚上")]))
    assert again.ok and (again.created, again.updated, again.registered) == (0, 1, 0)
    wish = TrainingWish.objects.get(person=_person(number))
    assert wish.time_note == "晚上"


def test_bad_rows_refuse_the_whole_file_naming_each_row_and_field(user_named):
    people_before, wishes_before = Person.objects.count(), TrainingWish.objects.count()
    result = _import(user_named, _csv([
        _row("好人", _number()),
        _row("坏号码", "411403198505050000"),
        _row("坏职业", _number(), occupation="造火箭"),
        _row("坏日期", _number(), level="十级"),
        ["坏时间", _number(), "411403", "", "电工", "", "睢阳区", f"{YEAR + 1}-05-01",
         f"{YEAR + 1}-01-01", ""],
        _row("坏地区", _number(), region="梁园区"),  # outside 睢阳区's officer's scope
    ]))
    assert not result.ok and result.created == 0
    rows = dict(result.errors)
    assert sorted(rows) == [3, 4, 5, 6, 7]  # the header is row 1, 好人 is row 2
    assert "身份证号" in rows[3][0]
    assert "意向职业：" in rows[4][0] and "造火箭" in rows[4][0]
    assert "意向等级：" in rows[5][0]
    assert any("可参训止：" in r and "早于" in r for r in rows[6])
    assert any("可参训地区：无权在「梁园区」登记培训意愿" in r for r in rows[7])
    assert result.messages()[0].startswith("第 3 行 ")
    assert (Person.objects.count(), TrainingWish.objects.count()) == (people_before,
                                                                      wishes_before)
    assert not AuditEvent.objects.filter(action="wish_import").exists()


def test_a_person_and_occupation_twice_is_refused_naming_both_rows(user_named):
    number = _number()
    result = _import(user_named, _csv([
        _row("重复人", number),
        _row("别人", _number()),
        _row("重复人", number, occupation="6-31-01-03", note="晚上"),
    ]))
    assert not result.ok
    (row, reasons), = result.errors
    assert row == 4 and "与第 2 行是同一人员、同一意向职业（电工）" in reasons[0]
    assert _person(number) is None and not TrainingWish.objects.exists()


def test_the_same_number_with_another_name_is_refused(user_named):
    number = _number()
    result = _import(user_named, _csv([_row("张一", number), _row("张二", number,
                                                                   occupation="家政服务员")]))
    assert not result.ok and dict(result.errors)[3][0].startswith("姓名：与第 2 行是同一证件号码")
    known = factories.person("411403", "登记名")
    result = _import(user_named, _csv([_row("别的名", known.full_id)]))
    assert not result.ok and "与实名库中该证件号码登记的姓名" in result.errors[0][1][0]
    assert not TrainingWish.objects.exists()


def test_a_new_person_the_officer_may_not_register_rolls_everything_back(user_named):
    """The registry's importer refuses a new person whose household region is outside the
    officer's scope; the wishes of the other rows are not written either."""
    people_before = Person.objects.count()
    result = _import(user_named, _csv([
        _row("本县人", _number()),
        _row("外县新人", _number("411402"), household="411402"),
    ]))
    assert not result.ok
    (row, reasons), = result.errors
    assert row == 3 and "户籍地" in reasons[0] and "梁园区" in reasons[0]
    assert Person.objects.count() == people_before and not TrainingWish.objects.exists()


def test_a_roster_without_the_occupation_column_or_rows_is_refused(user_named):
    with pytest.raises(Exception) as refused:
        _import(user_named, _csv([["甲", _number()]], header=["姓名", "身份证号"]))
    assert "意向职业" in refused.value.errors["file"]
    with pytest.raises(Exception) as refused:
        _import(user_named, _csv([], header=HEADER))
    assert "没有数据行" in refused.value.errors["file"]
    with pytest.raises(Exception) as refused:
        _import(user_named, SimpleUploadedFile("摸排.txt", b"abc"))
    assert ".xlsx" in refused.value.errors["file"]


def test_the_default_region_must_be_in_scope(user_named):
    with pytest.raises(OutOfScope):
        _import(user_named, _csv([_row("甲", _number())]), region="411402")


def test_the_import_page_shows_the_bad_rows_and_then_the_imported_ones(client_for):
    client = client_for("county_411403")
    page = client.get("/training/wishes/import/")
    assert page.status_code == 200 and "下载摸排花名册模板" in page.content.decode()
    refused = client.post("/training/wishes/import/", {
        "file": _csv([_row("好人", _number()), _row("坏职业", _number(), occupation="造火箭")]),
        "region": "411403"})
    assert refused.status_code == 400
    html = refused.content.decode()
    assert "整个文件未导入" in html and "第 3 行" in html and "造火箭" in html
    number = _number()
    done = client.post("/training/wishes/import/", {
        "file": _csv([_row("页面导入", number)]), "region": "411403"})
    assert done.status_code == 200
    html = done.content.decode()
    assert "新增意愿 1 条" in html and "新登记人员 1 人" in html
    assert "页面导入" not in html and number not in html  # masked: 页*入
    assert TrainingWish.objects.filter(person=_person(number)).exists()


def test_the_template_downloads_with_every_column(client_for):
    from python_calamine import CalamineWorkbook

    response = client_for("county_411403").get("/training/wishes/import/template/")
    assert response.status_code == 200
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0)
    header = sheet.to_python()[0]
    assert header == wishes.TEMPLATE_HEADERS and "意向职业" in header
