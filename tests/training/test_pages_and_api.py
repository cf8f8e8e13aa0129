"""Pages and API of training: an institution applies and manages its teachers, an officer
lists, suspends and exits; anyone reads the directory; school reports red where short."""

import datetime as dt

import pytest

from jineng.catalog.models import Occupation, SkillLevel
from jineng.core.errors import ServiceError
from jineng.core.identity import make_resident_number
from jineng.core.review import review_decide, review_of
from jineng.orgs.models import Institution
from jineng.training import selectors, services
from jineng.training.models import Designation, DesignationStatus, Engagement, SchoolReport
from tests.training.conftest import YEAR

pytestmark = pytest.mark.django_db


def _demo_designation(user_named) -> Designation:
    school = user_named("inst_411402").institution
    return Designation.objects.get(institution=school, status=DesignationStatus.DESIGNATED)


def _exit_demo(user_named):
    services.designation_exit(actor=user_named("county_411402"),
                              designation=_demo_designation(user_named), reason="测试")


def test_an_institution_applies_on_the_page_and_the_officer_lists_it(client_for, user_named):
    _exit_demo(user_named)
    school = user_named("inst_411402").institution
    response = client_for("inst_411402").post("/training/designations/apply/", {
        "institution": school.pk, "ownership": "private",
        "occupation_codes": "4-10-01-06，6-31-01-03",
        "levels": [lv.pk for lv in SkillLevel.objects.filter(code__in=["5", "4"])],
        "valid_from": f"{YEAR}-03-01", "valid_to": f"{YEAR + 2}-02-28"})
    assert response.status_code == 302, response.content.decode()[:2000]
    applied = Designation.objects.get(institution=school, status=DesignationStatus.APPLIED)
    assert sorted(o.name for o in applied.occupations.all()) == ["家政服务员", "电工"]
    listing = client_for("county_411402").get("/training/designations/?status=applied")
    assert applied.pk in {d.pk for d in listing.context["page"].object_list}
    assert "已申请（待审核）" in listing.content.decode()
    hidden = client_for("county_411403").get("/training/designations/?status=applied")
    assert applied.pk not in {d.pk for d in hidden.context["page"].object_list}


def test_the_apply_form_names_an_unknown_occupation_and_a_reversed_period(client_for,
                                                                         user_named):
    school = user_named("inst_411402").institution
    response = client_for("inst_411402").post("/training/designations/apply/", {
        "institution": school.pk, "ownership": "private", "occupation_codes": "9-99-99-99",
        "levels": [], "valid_from": f"{YEAR}-03-01", "valid_to": f"{YEAR}-01-01"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "职业代码 9-99-99-99 不在现行职业分类大典中" in html


def test_a_live_designation_refuses_a_second_application_on_the_page(client_for, user_named,
                                                                     level):
    school = user_named("inst_411402").institution
    response = client_for("inst_411402").post("/training/designations/apply/", {
        "institution": school.pk, "ownership": "private", "occupation_codes": "6-31-01-03",
        "levels": [level.pk], "valid_from": f"{YEAR}-03-01", "valid_to": f"{YEAR + 1}-01-01"})
    assert response.status_code == 400
    assert "已有状态为「定点」的定点记录，不能重复申请" in response.content.decode()


def test_an_officer_suspends_and_exits_on_the_detail_page(client_for, user_named):
    designation = _demo_designation(user_named)
    officer = client_for("county_411402")
    url = f"/training/designations/{designation.pk}/"
    assert "暂停定点资格" in officer.get(url).content.decode()
    refused = officer.post(f"{url}suspend/", {"reason": ""}, follow=True)
    assert "暂停定点资格须填写原因" in refused.content.decode()
    officer.post(f"{url}suspend/", {"reason": "虚报学员"})
    designation.refresh_from_db()
    assert designation.status == DesignationStatus.SUSPENDED
    page = officer.get(url).content.decode()
    assert "虚报学员" in page and "暂停定点培训机构" in page  # reason and the timeline
    officer.post(f"{url}exit/", {"reason": "整改不到位"})
    designation.refresh_from_db()
    assert designation.status == DesignationStatus.EXITED
    # The institution reads its record but has no supervision form.
    institution_page = client_for("inst_411402").get(url).content.decode()
    assert "整改不到位" in institution_page and "退出原因" not in institution_page
    assert client_for("inst_411402").post(f"{url}exit/", {"reason": "x"}).status_code == 403


def test_the_public_directory_needs_no_login_and_filters_by_region_and_occupation(client):
    page = client.get("/training/directory/?region=梁园区&occupation=电工")
    assert page.status_code == 200
    assert "商丘市梁园区金蓝领职业培训学校" in page.content.decode()
    other = client.get("/training/directory/?region=睢阳区").content.decode()
    assert "金蓝领" not in other
    none = client.get("/training/directory/?occupation=养老护理员").content.decode()
    assert "金蓝领" not in none
    bad = client.get("/training/directory/?region=不存在的地方")
    assert bad.status_code == 404
    api = client.get("/api/v1/designations/directory?region=411402&occupation=6-31-01-03")
    assert api.status_code == 200
    items = api.json()["items"]
    assert [i["institution_name"] for i in items] == ["商丘市梁园区金蓝领职业培训学校"]
    assert items[0]["status"] == "designated" and "reason" not in items[0]
    assert {o["name"] for o in items[0]["occupations"]} == {"家政服务员", "电工"}


def test_the_directory_does_not_list_applications_under_review(client, apply,
                                                               suiyang_school):
    apply(suiyang_school)
    assert "古城家政" not in client.get("/training/directory/?region=睢阳区").content.decode()


def test_an_institution_registers_a_teacher_and_an_engagement_on_the_pages(
        client_for, user_named, make_person):
    school = user_named("inst_411402").institution
    person = make_person("蒋新师", "411402")
    number = make_resident_number("411402", dt.date(1980, 1, 1), 0)  # not registered
    client = client_for("inst_411402")
    missing = client.post("/training/teachers/new/", {
        "institution": school.pk, "id_number": number, "qualification_number": "Q1",
        "qualification_expires": f"{YEAR + 1}-01-01"})
    assert "该证件号码尚未实名登记" in missing.content.decode()
    full = person.full_id
    done = client.post("/training/teachers/new/", {
        "institution": school.pk, "id_number": full, "qualification_number": "豫培师Q2",
        "qualification_expires": f"{YEAR + 1}-01-01", "dual_qualified": "on"})
    assert done.status_code == 302
    engaged = client.post("/training/engagements/new/", {
        "institution": school.pk, "id_number": full, "year": YEAR, "kind": "full_time"})
    assert engaged.status_code == 302
    assert Engagement.objects.filter(teacher__person=person, institution=school).exists()
    assert selectors.full_time_share(school, YEAR) == (2, 3)
    listing = client.get("/training/teachers/?q=豫培师Q2").content.decode()
    assert "蒋新师" in listing


def test_the_api_refuses_a_fourth_part_time_engagement_in_chinese(api_for, user_named,
                                                                  make_institution,
                                                                  make_person):
    officer = user_named("county_411403")
    schools = [make_institution(f"接口{n}培训学校") for n in "甲乙丙丁"]
    person = make_person("陶兼职")
    teacher = services.teacher_register(
        actor=officer, institution=schools[0], person=person, qualification_number="T1",
        qualification_expires=dt.date(YEAR + 1, 1, 1))
    for school in schools[:3]:
        services.engagement_add(actor=officer, teacher=teacher, institution=school, year=YEAR,
                                kind="part_time")
    full = person.full_id
    response = api_for("county_411403").post("/api/v1/engagements", {
        "institution_id": schools[3].pk, "id_number": full, "year": YEAR, "kind": "part_time"},
        content_type="application/json")
    assert response.status_code == 400
    body = response.json()
    assert "「接口甲培训学校」、「接口乙培训学校」、「接口丙培训学校」" in body["errors"]["teacher"]


def test_the_api_applies_and_a_sibling_county_cannot_suspend(api_for, suiyang_school):
    response = api_for("county_411403").post("/api/v1/designations", {
        "institution_id": suiyang_school.pk, "ownership": "public",
        "occupation_codes": ["6-31-01-03"], "level_codes": ["4"],
        "valid_from": f"{YEAR}-01-01", "valid_to": f"{YEAR}-12-31"},
        content_type="application/json")
    assert response.status_code == 201, response.json()
    pk = response.json()["id"]
    assert response.json()["status_label"] == "已申请（待审核）"
    refused = api_for("county_411402").post(f"/api/v1/designations/{pk}/suspend",
                                            {"reason": "越权"}, content_type="application/json")
    assert refused.status_code == 404
    reversed_ = api_for("county_411403").post("/api/v1/designations", {
        "institution_id": suiyang_school.pk, "ownership": "public",
        "occupation_codes": ["6-31-01-03"], "level_codes": ["4"],
        "valid_from": f"{YEAR}-12-31", "valid_to": f"{YEAR}-01-01"},
        content_type="application/json")
    assert reversed_.status_code in (400, 409)


def test_school_reports_are_red_where_short_and_say_where_the_figures_come_from(
        client_for, user_named):
    officer = user_named("county_411403")
    school = Institution.objects.get(name="商丘市睢阳区技工学校")
    services.school_report_set(actor=officer, institution=school, year=2020,
                               enrolled_students=1001, training_person_times=None)
    services.school_report_set(actor=officer, institution=school, year=2019,
                               enrolled_students=1000, training_person_times=500)
    report = SchoolReport.objects.get(institution=school, year=2020)
    assert report.required_person_times == 501 and report.is_short
    page = client_for("county_411403").get("/training/school-reports/").content.decode()
    assert "尚无培训记录" in page
    assert "未达标（应不少于 501 人次）" in page
    assert "培训人次为院校或经办人员填报的数字" in page
    assert not SchoolReport.objects.get(institution=school, year=2019).is_short


def test_a_training_school_that_is_not_a_school_files_no_school_report(user_named,
                                                                       suiyang_school):
    with pytest.raises(ServiceError) as exc:
        services.school_report_set(actor=user_named("county_411403"), institution=suiyang_school,
                                   year=2020, enrolled_students=10)
    assert "不是职业院校或技工院校" in exc.value.errors["institution"]


def test_menus_by_role(client_for):
    institution = client_for("inst_411402").get("/").content.decode()
    assert "申请定点" in institution and "培训教师" in institution
    worker = client_for("worker_411402").get("/").content.decode()
    assert "申请定点" not in worker and "培训教师" not in worker
    officer = client_for("county_411402").get("/").content.decode()
    assert "定点培训机构" in officer


def test_a_returned_application_is_changed_and_filed_again_on_the_page(
        client_for, user_named, level):
    _exit_demo(user_named)
    school = user_named("inst_411402").institution
    designation = services.designation_submit(
        actor=user_named("inst_411402"), institution=school, ownership="private",
        occupations=[Occupation.objects.get(code="6-31-01-03", is_current=True)],
        levels=[level], valid_from=dt.date(YEAR, 1, 1), valid_to=dt.date(YEAR, 12, 31))
    review_decide(actor=user_named("county_411402"), review=review_of(designation),
                  decision="return", reason="请补充家政服务员")
    client = client_for("inst_411402")
    detail = client.get(f"/training/designations/{designation.pk}/").content.decode()
    assert "请补充家政服务员" in detail and "修改并重新提交" in detail
    response = client.post(f"/training/designations/{designation.pk}/resubmit/", {
        "institution": school.pk, "ownership": "private",
        "occupation_codes": "6-31-01-03, 4-10-01-06", "levels": [level.pk],
        "valid_from": f"{YEAR}-01-01", "valid_to": f"{YEAR}-12-31"})
    assert response.status_code == 302
    designation.refresh_from_db()
    assert designation.status == DesignationStatus.APPLIED
    assert sorted(o.name for o in designation.occupations.all()) == ["家政服务员", "电工"]
    # A sibling county's officer cannot open it.
    other = client_for("county_411403").get(f"/training/designations/{designation.pk}/resubmit/")
    assert other.status_code == 404


def test_the_home_panel_counts_designations_in_scope(client_for):
    html = client_for("county_411402").get("/").content.decode()
    assert "定点培训机构" in html
    panel = client_for("county_411403").get("/")
    stats = {s.key: s.value for p in panel.context["panels"] for s in p.stats}
    assert stats["designated"] == 1  # 睢阳区技工学校 (the class demo's); 金蓝领 is 梁园区's
