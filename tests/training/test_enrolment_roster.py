"""Roster enrolment through the registry's importer: new people registered, registered ones
found, every row checked against the enrolment rules; bad rows reported by row number and
field; a person twice refused naming both rows; strict mode writes nothing of a bad file."""

import csv
import datetime as dt
import itertools

import pytest
from django.utils import timezone

from jineng.core.errors import ServiceError
from jineng.core.identity import make_resident_number
from jineng.people.models import ImportMode, Person
from jineng.training import enrolment as svc
from jineng.training.models import ClassStatus, Enrolment, EnrolmentSource
from tests.training import factories

pytestmark = pytest.mark.django_db
HEADER = ["姓名", "身份证号", "户籍地", "重点群体"]
_seq = itertools.count(600)


@pytest.fixture
def operator(user_named):
    return user_named("inst_411402")


@pytest.fixture
def klass(operator):
    return factories.training_class(operator.institution, capacity=10,
                                    start=timezone.localdate() + dt.timedelta(days=5))


def number(region="411402"):
    return make_resident_number(region, dt.date(1991, 2, 3), next(_seq))


def roster(tmp_path, rows, name="roster.csv"):
    path = tmp_path / name
    with open(path, "w", newline="", encoding="utf-8-sig") as f:
        writer = csv.writer(f)
        writer.writerow(HEADER)
        writer.writerows(rows)
    return path


def enrol(operator, klass, path, **kw):
    return svc.enrol_roster(actor=operator, training_class=klass, path=path,
                            file_name=path.name, **kw)


def reasons(result) -> dict:
    return {r.row: "；".join(r.reasons) for r in result.rejected}


def test_new_people_are_registered_and_registered_ones_found(operator, klass, tmp_path):
    known = factories.person("411402", "老学员")
    known.target_groups = ["unemployed"]
    known.save()
    rows = [["新学员甲", number(), "梁园区", "农村转移劳动力"],
            ["新学员乙", number(), "411402", "高校毕业生"],
            ["老学员", known.full_id, "", ""]]
    result = enrol(operator, klass, roster(tmp_path, rows))
    assert (result.rows, result.enrolled, result.registered, result.rejected) == (3, 3, 2, [])
    people = set(Enrolment.objects.filter(training_class=klass)
                 .values_list("person__name", "source"))
    assert people == {("新学员甲", EnrolmentSource.ROSTER), ("新学员乙", EnrolmentSource.ROSTER),
                      ("老学员", EnrolmentSource.ROSTER)}
    assert Person.objects.get(name="新学员甲").registered_by == operator.institution


def test_bad_rows_are_reported_by_row_and_field_and_written_not_at_all(operator, klass,
                                                                      tmp_path):
    before = Person.objects.count()
    rows = [["好学员", number(), "梁园区", "农村转移劳动力"],            # row 2
            ["坏号码", "411402199102031234", "梁园区", "农村转移劳动力"],  # 3: check digit
            ["外县人", number("411403"), "睢阳区", "农村转移劳动力"],       # 4: region
            ["不符合", number(), "梁园区", "企业职工"]]                    # 5: target groups
    result = enrol(operator, klass, roster(tmp_path, rows))
    found = reasons(result)
    assert result.enrolled == 1 and set(found) == {3, 4, 5}
    assert found[3].startswith("身份证号：")
    assert found[4].startswith("户籍地：") and "梁园区范围内" in found[4]
    assert found[5].startswith("重点群体：") and "不符合报名条件" in found[5]
    # the refused rows' people are not registered either: a row is all or nothing
    assert Person.objects.count() == before + 1
    assert not Person.objects.filter(name__in=["外县人", "不符合"]).exists()


def test_a_person_twice_is_refused_naming_both_rows(operator, klass, tmp_path):
    twice = number()
    rows = [["甲", twice, "梁园区", "农村转移劳动力"],
            ["乙", number(), "梁园区", "农村转移劳动力"],
            ["甲", twice, "梁园区", "农村转移劳动力"]]
    result = enrol(operator, klass, roster(tmp_path, rows))
    assert result.enrolled == 2
    found = reasons(result)
    assert list(found) == [4]
    assert "身份证号：与第 2 行是同一人" in found[4] and "第 4 行不予报名" in found[4]
    assert Enrolment.objects.filter(training_class=klass, person__name="甲").count() == 1


def test_strict_mode_writes_nothing_of_a_file_with_a_bad_row(operator, klass, tmp_path):
    before = Person.objects.count()
    twice = number()
    rows = [["甲", twice, "梁园区", "农村转移劳动力"], ["乙", number(), "梁园区", "农村转移劳动力"],
            ["甲", twice, "梁园区", "农村转移劳动力"]]
    result = enrol(operator, klass, roster(tmp_path, rows), mode=ImportMode.STRICT)
    assert result.rolled_back and result.enrolled == 0 and list(reasons(result)) == [4]
    assert Person.objects.count() == before
    assert not Enrolment.objects.filter(training_class=klass).exists()


def test_rows_past_capacity_are_refused_in_file_order(operator, tmp_path):
    small = factories.training_class(operator.institution, capacity=2)
    rows = [[f"学员{'甲乙丙'[i]}", number(), "梁园区", "农村转移劳动力"] for i in range(3)]
    result = enrol(operator, small, roster(tmp_path, rows))
    assert result.enrolled == 2
    assert "培训班：" in reasons(result)[4] and "已报满" in reasons(result)[4]


def test_already_enrolled_and_overlapping_rows(operator, klass, tmp_path):
    enrolled, busy = factories.person("411402"), factories.person("411402")
    for p in (enrolled, busy):
        p.target_groups = ["rural_migrant"]
        p.save()
    factories.enrolment(klass, enrolled)
    other = factories.training_class(operator.institution, start=klass.start_date,
                                     name="同期班")
    factories.enrolment(other, busy)
    rows = [["a", enrolled.full_id, "", ""], ["b", busy.full_id, "", ""]]
    found = reasons(enrol(operator, klass, roster(tmp_path, rows)))
    assert "已报名本班" in found[2]
    assert "「同期班」" in found[3] and "时间重叠" in found[3]


def test_a_class_not_open_refuses_the_file(operator, tmp_path):
    draft = factories.training_class(operator.institution, status=ClassStatus.DRAFT)
    with pytest.raises(ServiceError) as exc:
        enrol(operator, draft, roster(tmp_path, [["甲", number(), "梁园区", "农村转移劳动力"]]))
    assert "training_class" in exc.value.errors


def test_a_file_without_a_header_is_refused(operator, klass, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(ServiceError) as exc:
        enrol(operator, klass, path)
    assert "表头" in exc.value.errors["file"]


def test_an_xlsx_roster(operator, klass, tmp_path):
    import xlsxwriter

    path = tmp_path / "roster.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, HEADER)
    sheet.write_row(1, 0, ["表格学员", number(), "梁园区", "失业人员"])
    book.close()
    assert enrol(operator, klass, path).enrolled == 1


def test_a_registered_person_is_judged_by_the_registry_not_the_row(operator, klass, tmp_path):
    """The row says 睢阳区, the registry (which a skip-import does not change) says 梁园区:
    the person is enrolled, and the registry is left as it was."""
    known = factories.person("411402", "登记在梁园")
    known.target_groups = ["rural_migrant"]
    known.save()
    rows = [["登记在梁园", known.full_id, "睢阳区", ""],
            ["新来的", number(), "梁园区", "农村转移劳动力"]]
    result = enrol(operator, klass, roster(tmp_path, rows))
    assert (result.enrolled, result.registered, result.rejected) == (2, 1, [])
    known.refresh_from_db()
    assert known.household_region.code == "411402"


def test_a_second_file_finds_everyone_registered(operator, klass, tmp_path):
    rows = [[f"学员{'甲乙'[i]}", number(), "梁园区", "农村转移劳动力"] for i in range(2)]
    path = roster(tmp_path, rows)
    enrol(operator, klass, path)
    other = factories.training_class(operator.institution, start=klass.start_date
                                     + dt.timedelta(days=30))
    again = enrol(operator, other, path)
    assert (again.enrolled, again.registered) == (2, 0)
    found = reasons(enrol(operator, other, path))
    assert all("已报名本班" in r for r in found.values()) and len(found) == 2


# ---------------------------------------------------------------- references, per statement


def test_an_enrolment_cannot_name_a_class_person_or_user_that_does_not_exist(klass):
    """Checked by migration 0003_enrol_references' triggers (no row-by-row foreign keys)."""
    from django.db import IntegrityError, connection, transaction

    person = factories.person("411402")
    good = {"training_class_id": klass.pk, "person_id": person.pk, "enrolled_by_id": None}
    for column in good:
        values = {**good, column: 987654321}
        with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as c:
            c.execute("INSERT INTO training_enrolment (training_class_id, person_id, status, "
                      "source, enrolled_by_id, enrolled_at, attended_hours, online_hours, "
                      "reason) VALUES (%s, %s, 'enrolled', 'page', %s, %s, 0, 0, '')",
                      [values["training_class_id"], values["person_id"],
                       values["enrolled_by_id"], timezone.now()])
    assert not Enrolment.objects.filter(training_class=klass).exists()


@pytest.mark.parametrize("table", ["people_person", "training_trainingclass"])
def test_a_row_an_enrolment_names_cannot_be_deleted(klass, table):
    from django.db import IntegrityError, connection, transaction

    if connection.vendor != "postgresql":
        pytest.skip("SQLite：由 ORM 的 on_delete=PROTECT 保护（见迁移说明）")
    made = factories.enrolment(klass)
    pk = made.person_id if table == "people_person" else made.training_class_id
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as c:
        if table == "people_person":
            c.execute("DELETE FROM people_personchange WHERE person_id = %s", [pk])
        c.execute(f"DELETE FROM {table} WHERE id = %s", [pk])
