"""Pages and API of classes: the list (an officer's region and status, an institution's
own), the detail (timetable, teachers, venue, review timeline, changes), the file form with
session rows, the change form, the enterprise staff page; /api/v1/classes in OpenAPI."""

import datetime as dt

import pytest
from django.utils import timezone

from jineng.core.review import review_decide, review_of
from jineng.orgs.models import Institution
from jineng.training import classes, services
from jineng.training.demo_classes import demo_classes
from jineng.training.models import ClassChange, ClassStatus, EnterpriseStaff, TrainingClass
from tests.training.conftest import YEAR
from tests.training.test_classes import HOME_CARE, at, engage, timetable

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    return demo_classes()


@pytest.fixture
def jinlanling(user_named):
    return user_named("inst_411402").institution


@pytest.fixture
def new_teacher(jinlanling, make_person, user_named):
    teacher = services.teacher_register(
        actor=user_named("inst_411402"), institution=jinlanling,
        person=make_person("陈新师", "411402"), qualification_number="豫培师T9001",
        qualification_expires=dt.date(YEAR + 3, 12, 31))
    return engage(teacher, jinlanling, actor="inst_411402", user_named=user_named)


def _form(jinlanling, teacher, start, *, rows=8, **over) -> dict:
    data = {
        "institution": jinlanling.pk, "name": "家政服务员初级班 第二期", "kind": "regular",
        "programme": _programme().pk, "occupation_code": HOME_CARE, "work_type": "家务服务员",
        "level": _level("5").pk, "fund_source": _fund().pk, "venue": "金蓝领实训楼 305",
        "venue_lat": "34.444210", "venue_lng": "115.630480", "venue_radius_m": "200",
        "start_date": start.isoformat(), "end_date": (start + dt.timedelta(days=9)).isoformat(),
        "planned_hours": "64", "capacity": "30", "teachers": [teacher.pk],
        "sessions-TOTAL_FORMS": str(rows * 2), "sessions-INITIAL_FORMS": "0"}
    for n in range(rows):
        day = start + dt.timedelta(days=n)
        for k, (begin, end) in enumerate((("08:30", "11:30"), ("14:00", "17:00"))):
            i = n * 2 + k
            data.update({f"sessions-{i}-date": day.isoformat(), f"sessions-{i}-start": begin,
                         f"sessions-{i}-end": end, f"sessions-{i}-hours": "4",
                         f"sessions-{i}-teacher": teacher.pk})
    data.update(over)
    return data


def _programme():
    from jineng.catalog.models import Programme
    return Programme.objects.get(code="SQ-2022-05")


def _level(code):
    from jineng.catalog.models import SkillLevel
    return SkillLevel.objects.get(code=code)


def _fund():
    from jineng.catalog.models import FundSource
    return FundSource.objects.get(code="employment_subsidy")


def _free_start(days=60):
    """A weekday stretch no demo class uses (the demo's upcoming class is 30 days out)."""
    return timezone.localdate() + dt.timedelta(days=days)


# ---------------------------------------------------------------- list and detail


def test_an_officer_lists_their_region_by_status_and_an_institution_its_own(client_for, demo):
    county = client_for("county_411402").get("/training/classes/?status=running")
    shown = {c.pk for c in county.context["page"].object_list}
    assert demo["running"].pk in shown and demo["suiyang"].pk not in shown
    assert demo["upcoming"].pk not in shown  # approved, not running
    city = client_for("city_411400").get("/training/classes/?region_code=睢阳区")
    assert {c.pk for c in city.context["page"].object_list} == {demo["suiyang"].pk}
    own = client_for("inst_411402").get("/training/classes/")
    pks = {c.pk for c in own.context["page"].object_list}
    assert demo["upcoming"].pk in pks and demo["suiyang"].pk not in pks
    html = own.content.decode()
    assert "家政服务员（母婴护理员）" in html and "培训中" in html
    # the enterprise sees the apprenticeship class that names it, and nothing else
    enterprise = client_for("ent_411402").get("/training/classes/")
    assert {c.pk for c in enterprise.context["page"].object_list} == {demo["apprenticeship"].pk}


def test_the_detail_shows_timetable_teachers_venue_and_the_review_timeline(client_for, demo):
    running = demo["running"]
    page = client_for("inst_411402").get(f"/training/classes/{running.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    today = timezone.localdate()
    assert f"{today:%Y-%m-%d}" in html and "王淑芬" in html
    assert "纬度 34.444210，经度 115.630480，签到范围 200 米" in html
    assert html.count('data-testid="session"') == running.sessions.count()
    assert "提交审核" in html and "第 1 步/共 2 步（县级）" in html
    assert "第 2 步/共 2 步（市级）" in html and "商丘市人社局审核员" in html
    assert "申请变更" in html  # the institution may file a change
    assert "申请变更" not in client_for("reviewer_411400").get(
        f"/training/classes/{running.pk}/").content.decode()
    assert client_for("county_411403").get(f"/training/classes/{running.pk}/").status_code == 404


def test_an_apprenticeship_page_names_the_enterprise_and_the_school(client_for, demo):
    html = client_for("ent_411402").get(
        f"/training/classes/{demo['apprenticeship'].pk}/").content.decode()
    assert "商丘梁园冷链食品有限公司" in html and "院校导师" in html and "企业新型学徒制" in html


# ---------------------------------------------------------------- the file form


def test_an_institution_files_a_class_on_the_page_with_session_rows(client_for, jinlanling,
                                                                    new_teacher, user_named):
    start = _free_start()
    client = client_for("inst_411402")
    assert client.get("/training/classes/file/").status_code == 200
    response = client.post("/training/classes/file/", _form(jinlanling, new_teacher, start))
    assert response.status_code == 302, response.content.decode()[-3000:]
    made = TrainingClass.objects.get(name="家政服务员初级班 第二期")
    assert made.status == ClassStatus.FILED and made.sessions.count() == 16
    assert made.sessions.order_by("starts_at").first().starts_at == at(start, 8, 30)
    assert review_of(made).step_region.code == "411402"
    queue = client_for("county_411402").get("/core/reviews/").content.decode()
    assert "家政服务员初级班 第二期" in queue


def test_the_file_form_names_a_reversed_date_and_a_short_timetable(client_for, jinlanling,
                                                                  new_teacher):
    start = _free_start()
    client = client_for("inst_411402")
    reversed_ = client.post("/training/classes/file/", _form(
        jinlanling, new_teacher, start, end_date=(start - dt.timedelta(days=1)).isoformat()))
    assert reversed_.status_code == 400
    assert (f"结业日期（{start - dt.timedelta(days=1):%Y-%m-%d}）早于开班日期（{start:%Y-%m-%d}）"
            in reversed_.content.decode())
    short = client.post("/training/classes/file/", _form(jinlanling, new_teacher, start,
                                                         rows=4))
    assert short.status_code == 400
    assert "课程表合计 32 课时，少于计划课时 64 课时" in short.content.decode()
    assert not TrainingClass.objects.filter(name="家政服务员初级班 第二期").exists()


def test_a_draft_saved_on_the_page_is_submitted_from_its_page(client_for, jinlanling,
                                                              new_teacher):
    start = _free_start()
    client = client_for("inst_411402")
    client.post("/training/classes/file/", _form(jinlanling, new_teacher, start, draft="on"))
    draft = TrainingClass.objects.get(name="家政服务员初级班 第二期")
    assert draft.status == ClassStatus.DRAFT
    assert "提交审核" in client.get(f"/training/classes/{draft.pk}/").content.decode()
    client.post(f"/training/classes/{draft.pk}/do/submit/")
    draft.refresh_from_db()
    assert draft.status == ClassStatus.FILED


def test_a_change_is_filed_on_the_page_and_applies_after_review(client_for, demo, user_named):
    upcoming = demo["upcoming"]
    client = client_for("inst_411402")
    page = client.get(f"/training/classes/{upcoming.pk}/change/")
    assert page.status_code == 200
    form = page.context["form"]
    formset = page.context["formset"]
    data = {"venue": "金蓝领实训楼 101（电工实训室）", "venue_lat": "34.444210",
            "venue_lng": "115.630480", "venue_radius_m": "200",
            "teachers": [t.teacher_id for t in upcoming.teachers.all()],
            "sessions-TOTAL_FORMS": str(len(formset.forms)),
            "sessions-INITIAL_FORMS": str(len(formset.initial_forms))}
    for i, f in enumerate(formset.initial_forms):
        for name in ("id", "date", "start", "end", "hours", "teacher", "topic"):
            value = f.initial.get(name, "")
            data[f"sessions-{i}-{name}"] = (value.strftime("%H:%M") if name in ("start", "end")
                                            else value)
    assert form.initial["venue"] == upcoming.venue
    response = client.post(f"/training/classes/{upcoming.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[-2000:]
    change = ClassChange.objects.get(training_class=upcoming)
    assert set(change.proposed) == {"venue"}  # only what differs: not the unchanged timetable
    detail = client.get(f"/training/classes/{upcoming.pk}/").content.decode()
    assert "待审核" in detail and "申请变更</a>" not in detail
    review = review_decide(actor=user_named("county_411402"), review=review_of(change),
                           decision="approve")
    review_decide(actor=user_named("reviewer_411400"), review=review, decision="approve")
    upcoming.refresh_from_db()
    assert upcoming.venue.startswith("金蓝领实训楼 101")


# ---------------------------------------------------------------- enterprise staff page


def test_an_enterprise_declares_staff_on_its_page_and_ends_it(client_for, user_named,
                                                              make_person):
    person = make_person("吕学徒", "411402")
    client = client_for("ent_411402")
    enterprise = user_named("ent_411402").institution
    assert client.get("/training/enterprise-staff/new/").status_code == 200
    done = client.post("/training/enterprise-staff/new/", {
        "institution": enterprise.pk, "id_number": person.full_id, "since": f"{YEAR}-02-01"})
    assert done.status_code == 302
    listing = client.get("/training/enterprise-staff/").content.decode()
    assert "吕学徒" in listing and person.id_masked in listing
    staff = EnterpriseStaff.objects.get(person=person)
    bad = client.post(f"/training/enterprise-staff/{staff.pk}/end/", {"until": f"{YEAR}-01-01"})
    assert bad.status_code == 400
    assert f"离职日期（{YEAR}-01-01）早于入职日期（{YEAR}-02-01）" in bad.content.decode()
    client.post(f"/training/enterprise-staff/{staff.pk}/end/", {"until": f"{YEAR}-05-31"})
    staff.refresh_from_db()
    assert staff.until == dt.date(YEAR, 5, 31)
    assert client_for("inst_411402").get("/training/enterprise-staff/").status_code == 403


# ---------------------------------------------------------------- API


def _payload(jinlanling, teacher, start, **over) -> dict:
    sessions = [{"starts_at": r["starts_at"].isoformat(), "ends_at": r["ends_at"].isoformat(),
                 "hours": 4, "teacher_id": teacher.pk} for r in timetable(start, 8, teacher)]
    body = {"institution_id": jinlanling.pk, "name": "接口备案班", "programme_code": "SQ-2022-05",
            "occupation_code": HOME_CARE, "work_type": "家务服务员", "level_code": "5",
            "fund_source_code": "employment_subsidy", "venue": "金蓝领实训楼 306",
            "venue_lat": "34.444210", "venue_lng": "115.630480", "venue_radius_m": 200,
            "start_date": start.isoformat(),
            "end_date": (start + dt.timedelta(days=9)).isoformat(), "planned_hours": 64,
            "capacity": 25, "teachers": [{"teacher_id": teacher.pk}], "sessions": sessions}
    body.update(over)
    return body


def test_the_api_files_reads_lists_and_gives_the_sessions(api_for, jinlanling, new_teacher):
    api = api_for("inst_411402")
    start = _free_start()
    response = api.post("/api/v1/classes", _payload(jinlanling, new_teacher, start),
                        content_type="application/json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "filed" and body["status_label"] == "已备案（待审核）"
    assert body["teachers"][0]["name"] == "陈新师" and body["work_type"] == "家务服务员"
    got = api.get(f"/api/v1/classes/{body['id']}").json()
    assert got["code"] == body["code"]
    listed = api.get("/api/v1/classes?status=filed&limit=100").json()["items"]
    assert [c["id"] for c in listed] == [body["id"]]
    sessions = api.get(f"/api/v1/classes/{body['id']}/sessions?limit=100").json()
    assert sessions["count"] == 16 and sessions["items"][0]["teacher_name"] == "陈新师"
    hidden = api_for("county_411403").get(f"/api/v1/classes/{body['id']}")
    assert hidden.status_code == 404


def test_the_api_refuses_reversed_dates_and_unknown_codes_naming_the_field(api_for, jinlanling,
                                                                           new_teacher):
    api = api_for("inst_411402")
    start = _free_start()
    reversed_ = api.post("/api/v1/classes", _payload(
        jinlanling, new_teacher, start, end_date=(start - dt.timedelta(days=2)).isoformat()),
        content_type="application/json")
    assert reversed_.status_code == 400
    assert reversed_.json()["errors"] == {
        "end_date": f"结业日期（{start - dt.timedelta(days=2):%Y-%m-%d}）早于开班日期"
                    f"（{start:%Y-%m-%d}）"}
    unknown = api.post("/api/v1/classes", _payload(jinlanling, new_teacher, start,
                                                   occupation_code="9-99-99-99"),
                       content_type="application/json")
    assert unknown.json()["errors"] == {
        "occupation_code": "职业代码 9-99-99-99 不在现行职业分类大典中"}
    assert not TrainingClass.objects.filter(name="接口备案班").exists()


def test_the_api_patches_a_draft_and_submits_it(api_for, jinlanling, new_teacher):
    api = api_for("inst_411402")
    start = _free_start()
    draft = api.post("/api/v1/classes", _payload(jinlanling, new_teacher, start, draft=True,
                                                 planned_hours=40),
                     content_type="application/json").json()
    assert draft["status"] == "draft"
    refused = api.patch(f"/api/v1/classes/{draft['id']}", {"submit": True},
                        content_type="application/json")
    assert refused.status_code == 400
    assert refused.json()["errors"]["planned_hours"].startswith("计划课时 40 课时")
    # an edit whose submit is refused is not saved either
    refused = api.patch(f"/api/v1/classes/{draft['id']}", {"capacity": 7, "submit": True},
                        content_type="application/json")
    assert refused.status_code == 400
    assert api.get(f"/api/v1/classes/{draft['id']}").json()["capacity"] != 7
    done = api.patch(f"/api/v1/classes/{draft['id']}", {"planned_hours": 64, "submit": True},
                     content_type="application/json")
    assert done.status_code == 200 and done.json()["status"] == "filed"


def test_the_api_files_a_change_of_an_approved_class(api_for, demo):
    upcoming = demo["upcoming"]
    api = api_for("inst_411402")
    response = api.post(f"/api/v1/classes/{upcoming.pk}/changes", {"venue_radius_m": 20},
                        content_type="application/json")
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "venue_radius_m": "签到范围应在 50 到 5000 米之间，当前为 20"}
    response = api.post(f"/api/v1/classes/{upcoming.pk}/changes", {"venue_radius_m": 400},
                        content_type="application/json")
    assert response.status_code == 201 and response.json()["status"] == "filed"
    listed = api.get(f"/api/v1/classes/{upcoming.pk}/changes").json()["items"]
    assert [c["proposed"] for c in listed] == [{"venue_radius_m": 400}]
    upcoming.refresh_from_db()
    assert upcoming.venue_radius_m == 200  # until it is approved


def test_the_api_declares_enterprise_staff(api_for, user_named, make_person):
    person = make_person("施学徒", "411402")
    api = api_for("ent_411402")
    enterprise = user_named("ent_411402").institution
    made = api.post("/api/v1/enterprise-staff", {
        "enterprise_id": enterprise.pk, "id_number": person.full_id, "since": f"{YEAR}-03-01"},
        content_type="application/json")
    assert made.status_code == 201 and made.json()["id_masked"] == person.id_masked
    ended = api.post(f"/api/v1/enterprise-staff/{made.json()['id']}/end",
                     {"until": f"{YEAR}-09-30"}, content_type="application/json")
    assert ended.json()["until"] == f"{YEAR}-09-30"
    assert classes.is_enterprise_staff(enterprise, person, on=dt.date(YEAR, 9, 30))


def test_the_class_endpoints_are_in_openapi_in_chinese(client):
    schema = client.get("/api/v1/openapi.json").json()
    paths = schema["paths"]
    for path in ("/api/v1/classes", "/api/v1/classes/{class_id}",
                 "/api/v1/classes/{class_id}/sessions", "/api/v1/classes/{class_id}/changes",
                 "/api/v1/enterprise-staff"):
        assert path in paths, path
    assert paths["/api/v1/classes"]["post"]["summary"].startswith("备案培训班")
    assert paths["/api/v1/classes/{class_id}"]["patch"]["summary"].startswith("修改草稿")
    fields = schema["components"]["schemas"]["ClassIn"]["properties"]
    assert fields["venue_radius_m"]["description"] == "签到范围（米，50–5000）"


@pytest.mark.parametrize("url", ["/training/classes/?q=批量", "/api/v1/classes?q=批量&limit=100",
                                 "/training/enterprise-staff/?q=梁园",
                                 "/api/v1/enterprise-staff?q=梁园&limit=100"])
def test_class_and_staff_lists_cost_the_same_for_1_and_11_rows(url, client_for, api_for,
                                                               user_named):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.training import factories

    school = Institution.objects.get(name="商丘市梁园区金蓝领职业培训学校")
    enterprise = user_named("ent_411402").institution
    client = api_for("county_411402") if url.startswith("/api/") else client_for(
        "county_411402")
    client.get(url)

    def add(n):
        for _ in range(n):
            factories.training_class(school, name="批量班")
            EnterpriseStaff.objects.create(enterprise=enterprise, person=factories.person(
                "411402"), since=dt.date(YEAR, 1, 1))

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    add(1)
    one = count()
    add(10)
    assert count() == one


def test_the_audit_page_reads_a_class_filing_in_chinese(client_for, demo):
    page = client_for("auditadmin").get(
        f"/core/audit/?object_type=training.trainingclass&object_id={demo['running'].pk}")
    assert page.status_code == 200
    html = page.content.decode()
    assert "备案培训班" in html and "培训班备案审核通过" in html and "培训班开班" in html
    assert "等级: [None, &#x27;4&#x27;]" in html  # field names in words, not internals


def test_an_approved_class_is_changed_by_a_change_request_not_edited(client_for, demo):
    client = client_for("inst_411402")
    response = client.get(f"/training/classes/{demo['upcoming'].pk}/edit/", follow=True)
    assert "只有草稿或退回修改的培训班可以修改；审核通过后请申请变更" in response.content.decode()
    assert client_for("county_411403").get(
        f"/training/classes/{demo['upcoming'].pk}/edit/").status_code == 404
