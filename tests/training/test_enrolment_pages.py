"""Enrolment pages and API as their users meet them: the institution's class page and roster
upload, a worker's open classes on the phone and their archive, the API (scoped, Chinese)."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from jineng.core.identity import make_resident_number
from jineng.people.models import Person
from jineng.training import enrolment as svc
from jineng.training.models import ClassKind, Enrolment, EnrolmentSource, EnrolmentStatus
from tests.training import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def klass(user_named):
    return factories.training_class(user_named("inst_411402").institution, capacity=5,
                                    start=timezone.localdate() + dt.timedelta(days=120),
                                    name="冷链电工班")


def migrant(region="411402", name="钱学员"):
    person = factories.person(region, name)
    person.target_groups = ["rural_migrant"]
    person.save()
    return person


def test_the_class_page_enrols_by_number(client_for, klass):
    person = migrant()
    client = client_for("inst_411402")
    page = client.get(f"/training/classes/{klass.pk}/enrolments/")
    assert page.status_code == 200 and "按证件号码报名" in page.content.decode()
    done = client.post(f"/training/classes/{klass.pk}/enrolments/",
                       {"doc_type": "resident", "id_number": person.full_id}, follow=True)
    html = done.content.decode()
    assert "已报名：钱学员" in html and person.id_masked in html
    assert person.full_id not in html


def test_the_class_page_shows_a_refusal_on_its_field(client_for, klass):
    outsider = migrant("411403", "孙外县")
    response = client_for("inst_411402").post(
        f"/training/classes/{klass.pk}/enrolments/",
        {"doc_type": "resident", "id_number": outsider.full_id})
    assert response.status_code == 400
    assert "梁园区范围内" in response.content.decode()
    assert not Enrolment.objects.filter(person=outsider).exists()


def test_a_sibling_countys_class_page_is_not_found(client_for, klass):
    assert client_for("county_411403").get(
        f"/training/classes/{klass.pk}/enrolments/").status_code == 404


def test_the_roster_page_lists_the_refused_rows(client_for, klass):
    good = make_resident_number("411402", dt.date(1990, 1, 2), 733)
    body = ("姓名,身份证号,户籍地,重点群体\n"
            f"页面学员,{good},梁园区,农村转移劳动力\n"
            f"重复学员,{good},梁园区,农村转移劳动力\n").encode("utf-8-sig")
    response = client_for("inst_411402").post(
        f"/training/classes/{klass.pk}/enrolments/roster/",
        {"mode": "partial", "file": SimpleUploadedFile("名单.csv", body)})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="enrolled">1<' in html and "第 3 行" in html
    assert "与第 2 行是同一人" in html


def test_a_worker_sees_open_classes_and_enrols_themself(client_for, user_named, klass):
    far = factories.training_class(factories.institution("411403"), name="睢阳家政班")
    client = client_for("worker_411402")
    page = client.get("/training/my/classes/").content.decode()
    assert "冷链电工班" in page and "睢阳家政班" not in page and "我要报名" in page
    done = client.post(f"/training/my/classes/{klass.pk}/enrol/", follow=True)
    assert "报名成功" in done.content.decode() and "您已报名" in done.content.decode()
    made = Enrolment.objects.get(training_class=klass)
    assert made.person == user_named("worker_411402").person
    assert made.source == EnrolmentSource.SELF
    assert client.post(f"/training/my/classes/{far.pk}/enrol/").status_code == 404


def test_a_worker_sees_their_enrolments_on_their_archive(client_for, user_named, klass):
    worker = user_named("worker_411402")
    svc.enrol(actor=worker, training_class=klass, person=worker.person,
              source=EnrolmentSource.SELF)
    html = client_for("worker_411402").get("/people/me/").content.decode()
    section = html.split('data-testid="section-training"')[1].split("</section>")[0]
    assert "冷链电工班" in section and "在训" in section and klass.institution.name in section


def test_the_enrolment_page_withdraws(client_for, klass):
    made = factories.enrolment(klass, migrant())
    client = client_for("inst_411402")
    assert client.post(f"/training/enrolments/{made.pk}/", {"reason": ""}).status_code == 400
    client.post(f"/training/enrolments/{made.pk}/", {"reason": "转岗"})
    made.refresh_from_db()
    assert made.status == EnrolmentStatus.WITHDRAWN


# ---------------------------------------------------------------- API


def test_api_enrols_by_number_and_lists_the_class(api_for, klass):
    person = migrant()
    api = api_for("inst_411402")
    made = api.post(f"/api/v1/classes/{klass.pk}/enrolments",
                    {"id_number": person.full_id}, content_type="application/json")
    assert made.status_code == 201, made.json()
    assert made.json()["person_name"] == "钱学员" and made.json()["source"] == "api"
    listed = api.get(f"/api/v1/classes/{klass.pk}/enrolments").json()
    assert [e["id"] for e in listed["items"]] == [made.json()["id"]]


def test_api_refusals_are_chinese_and_name_the_field(api_for, klass):
    api = api_for("inst_411402")
    outsider = migrant("411403")
    response = api.post(f"/api/v1/classes/{klass.pk}/enrolments",
                        {"id_number": outsider.full_id}, content_type="application/json")
    assert response.status_code == 400
    assert "梁园区范围内" in response.json()["errors"]["household_region"]
    other = api_for("county_411403").get(f"/api/v1/classes/{klass.pk}/enrolments")
    assert other.status_code == 404


def test_api_a_worker_sees_only_their_own(api_for, user_named, klass):
    worker = user_named("worker_411402")
    own = svc.enrol(actor=worker, training_class=klass, person=worker.person,
                    source=EnrolmentSource.SELF)
    factories.enrolment(klass, migrant())
    items = api_for("worker_411402").get("/api/v1/enrolments").json()["items"]
    # their own in this class and in the demo's classes, no one else's
    assert own.pk in {e["id"] for e in items}
    assert {e["id"] for e in items} == set(
        Enrolment.objects.filter(person=worker.person).values_list("pk", flat=True))


def test_the_api_is_in_openapi(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert "/api/v1/classes/{class_id}/enrolments" in paths
    assert "/api/v1/enrolments" in paths


def test_the_demo_enrols_zhang_san_and_a_dozen_idempotently(user_named):
    from jineng.training.demo_enrolment import load_enrolments

    school = user_named("inst_411402").institution
    # clear of the demo's own classes, whose sessions 张三 already attends
    classes = {"running": factories.training_class(
                   school, capacity=40, start=timezone.localdate() + dt.timedelta(days=150)),
               "past": factories.training_class(
                   school, capacity=40, start=timezone.localdate() + dt.timedelta(days=200),
                   days=5)}
    for p in Person.objects.filter(household_region__code="411402"):
        p.target_groups = sorted({*p.target_groups, "rural_migrant"})
        p.save()
    made = load_enrolments(classes)
    assert made >= 2
    zhang = user_named("worker_411402").person
    for c in classes.values():
        assert Enrolment.objects.filter(training_class=c, person=zhang).exists()
        assert Enrolment.objects.filter(training_class=c).count() >= 8
    assert load_enrolments(classes) == 0


# ---------------------------------------------------------------- cost


@pytest.mark.parametrize("url", [
    "/training/enrolments/?q={code}", "/api/v1/enrolments?q={code}",
    "/training/classes/{pk}/enrolments/", "/api/v1/classes/{pk}/enrolments",
])
def test_enrolment_lists_cost_the_same_for_1_and_21_rows(url, client_for, api_for, klass):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = url.format(code=klass.code, pk=klass.pk)
    client = api_for("inst_411402") if url.startswith("/api/") else client_for("inst_411402")
    client.get(url)
    klass.capacity = 100
    klass.save()

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    factories.enrolment(klass, migrant())
    one = count()
    for _ in range(20):
        factories.enrolment(klass, migrant())
    assert count() == one


def test_a_worker_is_not_offered_an_apprenticeship_class(client_for, user_named, klass):
    school = user_named("inst_411402").institution
    factories.training_class(school, kind=ClassKind.APPRENTICESHIP, name="冷链学徒测试班",
                             enterprise=factories.institution("411402", "enterprise"),
                             start=timezone.localdate() + dt.timedelta(days=120))
    html = client_for("worker_411402").get("/training/my/classes/").content.decode()
    assert "冷链电工班" in html  # the regular class of the region is offered
    assert "冷链学徒测试班" not in html  # the enterprise enrols its own employees
