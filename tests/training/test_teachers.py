"""Teachers: a part-time teacher works for at most three institutions a year (the fourth is
refused naming the three), full-time at one only; an expired 上岗资格 blocks assignment."""

import datetime as dt

import pytest

from jineng.core.errors import ServiceError
from jineng.training import selectors, services
from jineng.training.models import EngagementKind
from tests.training.conftest import YEAR

pytestmark = pytest.mark.django_db


def test_the_fourth_part_time_engagement_is_refused_naming_the_other_three(
        make_institution, make_teacher, user_named):
    officer = user_named("county_411403")
    schools = [make_institution(f"睢阳第{n}培训学校") for n in "一二三四"]
    teacher = make_teacher(schools[0], name="钱兼职")
    for school in schools[:3]:
        services.engagement_add(actor=officer, teacher=teacher, institution=school, year=YEAR,
                                kind=EngagementKind.PART_TIME)
    with pytest.raises(ServiceError) as exc:
        services.engagement_add(actor=officer, teacher=teacher, institution=schools[3],
                                year=YEAR, kind=EngagementKind.PART_TIME)
    assert exc.value.errors["teacher"] == (
        f"兼职教师「钱兼职」{YEAR} 年度已在 3 家机构任职（「睢阳第一培训学校」、"
        "「睢阳第二培训学校」、「睢阳第三培训学校」），一年内任职不得超过 3 家培训机构")
    # Another year is another count.
    services.engagement_add(actor=officer, teacher=teacher, institution=schools[3],
                            year=YEAR + 1, kind=EngagementKind.PART_TIME)


def test_a_teacher_is_full_time_at_one_institution_a_year(make_institution, make_teacher,
                                                          user_named):
    officer = user_named("county_411403")
    first, second = make_institution("睢阳甲校"), make_institution("睢阳乙校")
    teacher = make_teacher(first, name="孙专职")
    services.engagement_add(actor=officer, teacher=teacher, institution=first, year=YEAR,
                            kind=EngagementKind.FULL_TIME)
    with pytest.raises(ServiceError) as exc:
        services.engagement_add(actor=officer, teacher=teacher, institution=second, year=YEAR,
                                kind=EngagementKind.FULL_TIME)
    assert exc.value.errors["kind"] == (
        f"「孙专职」{YEAR} 年度已是「睢阳甲校」的专职教师，不能再在其他机构专职任教")
    with pytest.raises(ServiceError) as exc:
        services.engagement_add(actor=officer, teacher=teacher, institution=first, year=YEAR,
                                kind=EngagementKind.PART_TIME)
    assert exc.value.message == f"「孙专职」{YEAR} 年度已受聘于「睢阳甲校」"


def test_an_expired_qualification_blocks_assignment(suiyang_school, make_teacher):
    teacher = make_teacher(suiyang_school, name="周过期", expires=dt.date(YEAR, 3, 31))
    assert selectors.teacher_assignable(teacher, on=dt.date(YEAR, 3, 31)) is None
    assert selectors.teacher_assignable(teacher, on=dt.date(YEAR, 4, 1)) == (
        f"教师「周过期」的上岗资格（证号 {teacher.qualification_number}）已于 {YEAR}-03-31 过期，"
        "不能安排授课")


def test_a_person_is_registered_as_a_teacher_once(suiyang_school, make_teacher, user_named):
    teacher = make_teacher(suiyang_school, name="吴重复")
    with pytest.raises(ServiceError) as exc:
        services.teacher_register(actor=user_named("county_411403"), institution=suiyang_school,
                                  person=teacher.person, qualification_number="X1",
                                  qualification_expires=dt.date(YEAR + 1, 1, 1))
    assert exc.value.message == (
        "「吴重复」已由「商丘市睢阳区古城家政职业培训学校」登记为培训教师，请直接登记聘用")


def test_a_qualification_number_is_required(suiyang_school, make_person, user_named):
    with pytest.raises(ServiceError) as exc:
        services.teacher_register(actor=user_named("county_411403"), institution=suiyang_school,
                                  person=make_person("郑无证"), qualification_number=" ",
                                  qualification_expires=dt.date(YEAR + 1, 1, 1))
    assert exc.value.errors["qualification_number"] == "请填写上岗资格证号"


def test_an_institution_keeps_teachers_only_for_itself(suiyang_school, make_person, user_named):
    with pytest.raises(ServiceError):
        services.teacher_register(actor=user_named("inst_411402"), institution=suiyang_school,
                                  person=make_person("冯越权"), qualification_number="Y1",
                                  qualification_expires=dt.date(YEAR + 1, 1, 1))


def test_a_renewed_qualification_makes_the_teacher_assignable_again(
        suiyang_school, make_teacher, api_for, client_for):
    teacher = make_teacher(suiyang_school, name="陈续期", expires=dt.date(2020, 1, 1))
    page = client_for("county_411403").get(f"/training/teachers/{teacher.pk}/").content.decode()
    assert "已于 2020-01-01 过期，不能安排授课" in page
    response = api_for("county_411403").put(f"/api/v1/teachers/{teacher.pk}", {
        "qualification_number": "豫培师续2099", "qualification_expires": "2099-12-31",
        "dual_qualified": True}, content_type="application/json")
    assert response.status_code == 200, response.json()
    teacher.refresh_from_db()
    assert selectors.teacher_assignable(teacher) is None
    assert teacher.dual_qualified
    refused = api_for("county_411402").put(f"/api/v1/teachers/{teacher.pk}", {
        "qualification_number": "X", "qualification_expires": "2099-12-31",
        "dual_qualified": False}, content_type="application/json")
    assert refused.status_code == 404
