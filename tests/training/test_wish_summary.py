"""The wishes summary (点菜式: counts by region, target group and occupation) for officers and
for institutions planning classes — counts only, never a name or a number — and the API."""

import io

import pytest
from python_calamine import CalamineWorkbook

from jineng.core.errors import Forbidden
from jineng.core.models import AuditEvent
from jineng.core.refusals import OutOfScope
from jineng.orgs.models import Region
from jineng.people.models import Person
from jineng.training import wishes
from jineng.training.models import TrainingWish, WishSource
from tests.training import factories

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_demo_wishes")]


def _person(region, name, groups=()):
    who = factories.person(region, name)
    Person.objects.filter(pk=who.pk).update(target_groups=sorted(groups))
    return who


@pytest.fixture
def planted(user_named):
    """梁园区: 甲 (电工, 家政), 乙 (电工); 睢阳区: 丙, 丁, 戊 (电工); 商丘市 itself: 己 (家政)."""
    def record(who, occupation, region, actor):
        return wishes.wish_record(actor=user_named(actor), person=who, occupation=occupation,
                                  region=region)

    made = {}
    made["甲"] = _person("411402", "甲某某", ["rural_migrant", "graduate"])
    record(made["甲"], "电工", "411402", "county_411402")
    record(made["甲"], "家政服务员", "411402", "county_411402")
    made["乙"] = _person("411402", "乙某某", ["rural_migrant"])
    record(made["乙"], "电工", "411402", "county_411402")
    for name in "丙丁戊":
        made[name] = _person("411403", f"{name}某某", ["unemployed"])
        record(made[name], "电工", "411403", "county_411403")
    made["己"] = _person("411403", "己某某")
    record(made["己"], "家政服务员", "411400", "city_411400")
    gone = _person("411403", "庚某某", ["unemployed"])
    wishes.wish_withdraw(actor=user_named("county_411403"),
                         wish=record(gone, "电工", "411403", "county_411403"))
    return made


def _rows(rows):
    return {r.label: (r.wishes, r.people) for r in rows}


def test_the_city_counts_by_county_target_group_and_occupation(user_named, planted):
    summary = wishes.wish_summary(user=user_named("city_411400"))
    assert summary.region.code == "411400"
    assert (summary.wishes, summary.people) == (7, 6)  # the withdrawn wish does not count
    by_region = _rows(summary.by_region)
    assert by_region["梁园区"] == (3, 2) and by_region["睢阳区"] == (3, 3)
    assert by_region["商丘市（本级）"] == (1, 1)
    assert [r.code for r in summary.by_region if r.drill] == ["411402", "411403"]
    by_group = _rows(summary.by_group)
    assert by_group["农村转移劳动力"] == (3, 2)
    assert by_group["失业人员"] == (3, 3) and by_group["高校毕业生"] == (2, 1)
    assert _rows(summary.by_occupation)["6-31-01-03 电工"] == (5, 5)
    assert _rows(summary.by_occupation)["4-10-01-06 家政服务员"] == (2, 2)


def test_drilling_down_a_level_and_filtering_by_occupation_and_year(user_named, planted):
    city = user_named("city_411400")
    county = wishes.wish_summary(user=city, region=Region.objects.get(code="411402"))
    assert (county.wishes, county.people) == (3, 2) and county.parent.code == "411400"
    electricians = wishes.wish_summary(user=city, occupation=wishes.parse_occupation("电工"))
    assert (electricians.wishes, electricians.people) == (5, 5)
    assert wishes.wish_summary(user=city, year=2001).wishes == 0
    this_year = TrainingWish.objects.first().created_at.year
    assert wishes.wish_summary(user=city, year=this_year).wishes == 7


def test_a_county_counts_its_own_and_cannot_ask_about_its_sibling(user_named, planted):
    officer = user_named("county_411402")
    summary = wishes.wish_summary(user=officer)
    assert summary.region.code == "411402" and summary.wishes == 3
    assert summary.parent is None  # the city is not theirs to see
    with pytest.raises(OutOfScope):
        wishes.wish_summary(user=officer, region=Region.objects.get(code="411403"))
    with pytest.raises(OutOfScope):
        wishes.wish_summary(user=officer, region=Region.objects.get(code="411400"))


def test_an_institution_sees_counts_of_its_region_and_never_a_person(user_named, client_for,
                                                                      api_for, planted):
    operator = user_named("inst_411402")  # 金蓝领, in 梁园区
    summary = wishes.wish_summary(user=operator)
    assert summary.region.code == "411402" and (summary.wishes, summary.people) == (3, 2)
    with pytest.raises(OutOfScope):
        wishes.wish_summary(user=operator, region=Region.objects.get(code="411403"))
    assert not wishes.wish_list(user=operator).exists()

    client = client_for("inst_411402")
    page = client.get("/training/wishes/summary/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "梁园区" in html and "电工" in html and 'data-testid="total-people">2<' in html
    for who in (planted["甲"], planted["乙"]):
        assert who.name not in html and who.id_masked not in html
    assert client.get("/training/wishes/summary/?region=411403").status_code == 400
    assert client.get("/training/wishes/").status_code == 403
    assert client.get(f"/training/wishes/{TrainingWish.objects.first().pk}/").status_code == 404

    api = api_for("inst_411402")
    body = api.get("/api/v1/training-wishes/summary?occupation=电工").json()
    assert body["region_code"] == "411402" and body["wishes"] == 2 and body["people"] == 2
    assert planted["甲"].name not in str(body) and planted["甲"].id_masked not in str(body)
    refused = api.get("/api/v1/training-wishes/summary?region=睢阳区")
    assert refused.status_code == 403 and "region" in refused.json()["errors"]
    assert api.get("/api/v1/training-wishes?limit=100").json()["items"] == []


def test_a_worker_and_a_user_without_the_permission_get_no_summary(user_named, client_for,
                                                                   planted):
    with pytest.raises(Forbidden):
        wishes.wish_summary(user=user_named("worker_411402"))
    assert client_for("worker_411402").get("/training/wishes/summary/").status_code == 403


def test_the_summary_page_drills_down_and_exports_the_same_counts(client_for, planted):
    client = client_for("city_411400")
    html = client.get("/training/wishes/summary/").content.decode()
    assert 'href="?region=411402"' in html and "商丘市（本级）" in html
    county = client.get("/training/wishes/summary/?region=411403").content.decode()
    assert 'data-testid="total-wishes">3<' in county and "返回上一级：商丘市" in county
    bad = client.get("/training/wishes/summary/?occupation=造火箭")
    assert bad.status_code == 400 and "造火箭" in bad.content.decode()
    export = client.get("/training/wishes/summary/?region=411400&export=xlsx")
    assert export.status_code == 200
    book = CalamineWorkbook.from_filelike(io.BytesIO(export.content))
    regions = book.get_sheet_by_name("按地区").to_python()
    assert ["梁园区", 3, 2] in [row[:3] for row in regions]
    assert regions[-1][:3] == ["合计", 7, 6]
    occupations = book.get_sheet_by_name("按职业").to_python()
    assert ["6-31-01-03 电工", 5, 5] in [row[:3] for row in occupations]
    assert AuditEvent.objects.filter(action="export", object_type="training.trainingwish",
                                     changes__summary="411400").exists()


# ---------------------------------------------------------------- the API


def test_the_api_records_then_updates_and_lists_in_scope(api_for, planted):
    who = factories.person("411403", "接口人")
    api = api_for("county_411403")
    first = api.post("/api/v1/training-wishes", {
        "id_number": who.full_id, "occupation": "6-31-01-03", "level": "4",
        "region": "411403", "time_note": "周末"}, content_type="application/json")
    assert first.status_code == 201, first.json()
    body = first.json()
    assert body["occupation_name"] == "电工" and body["id_masked"] == who.id_masked
    assert who.full_id not in str(body) and body["source"] == WishSource.OFFICER
    again = api.post("/api/v1/training-wishes", {
        "id_number": who.full_id, "occupation": "电工", "region": "411403",
        "time_note": "晚上"}, content_type="application/json")
    assert again.status_code == 200 and again.json()["id"] == body["id"]
    assert again.json()["time_note"] == "晚上"
    mine = api.get("/api/v1/training-wishes?q=接口人").json()["items"]
    assert [w["id"] for w in mine] == [body["id"]]
    sibling = api_for("county_411402")
    assert sibling.get("/api/v1/training-wishes?q=接口人").json()["items"] == []
    assert sibling.get(f"/api/v1/training-wishes/{body['id']}").status_code == 404


def test_the_api_refuses_in_chinese_naming_the_field(api_for):
    who = factories.person("411403")
    api = api_for("county_411403")
    bad = api.post("/api/v1/training-wishes", {
        "id_number": who.full_id, "occupation": "造火箭", "region": "411403"},
        content_type="application/json")
    assert bad.status_code == 400 and "造火箭" in bad.json()["errors"]["occupation"]
    outside = api.post("/api/v1/training-wishes", {
        "id_number": who.full_id, "occupation": "电工", "region": "梁园区"},
        content_type="application/json")
    assert outside.status_code == 403 and "梁园区" in outside.json()["errors"]["region"]
    missing = api.post("/api/v1/training-wishes", {"occupation": "电工", "region": "411403"},
                       content_type="application/json")
    assert missing.status_code == 400 and "id_number" in missing.json()["errors"]
    assert not TrainingWish.objects.filter(person=who).exists()


def test_a_worker_records_and_lists_their_own_through_the_api(api_for, user_named):
    api = api_for("worker_411402")
    created = api.post("/api/v1/training-wishes", {"occupation": "电工"},
                       content_type="application/json")
    assert created.status_code == 201, created.json()
    assert created.json()["region_code"] == "411402"  # where they live
    assert created.json()["source"] == WishSource.SELF
    other = factories.person("411402")
    wishes.wish_record(actor=user_named("county_411402"), person=other, occupation="电工",
                       region="411402")
    items = api.get("/api/v1/training-wishes?limit=100").json()["items"]
    assert [w["id"] for w in items] == [created.json()["id"]]
    withdrawn = api.post(f"/api/v1/training-wishes/{created.json()['id']}/withdraw")
    assert withdrawn.status_code == 200 and withdrawn.json()["is_active"] is False


def test_a_worker_reads_notices_through_the_api(api_for, user_named):
    wishes.wish_record_self(actor=user_named("worker_411402"), occupation="电工",
                            region="411400")
    course = factories.training_class()
    wishes.notify_class_opened(course)
    api = api_for("worker_411402")
    items = api.get("/api/v1/wish-notices").json()["items"]
    assert [n["class_name"] for n in items] == [course.name] and items[0]["read_at"] is None
    read = api.post(f"/api/v1/wish-notices/{items[0]['id']}/read")
    assert read.status_code == 200 and read.json()["read_at"] is not None
    officer = api_for("county_411403")
    assert officer.post(f"/api/v1/wish-notices/{items[0]['id']}/read").status_code == 404


def test_the_period_counts_the_wishes_available_in_it(user_named):
    from datetime import date, timedelta

    today = date.today()
    officer = user_named("county_411403")
    for start, end in ((None, None), (today, today + timedelta(days=30)),
                       (today + timedelta(days=200), None)):
        wishes.wish_record(actor=officer, person=factories.person("411403"), occupation="电工",
                           region="411403", available_from=start, available_to=end)
    soon = wishes.wish_summary(user=officer, period_from=today + timedelta(days=10),
                               period_to=today + timedelta(days=60))
    assert soon.wishes == 2  # any time, and the one free for the next month
    later = wishes.wish_summary(user=officer, period_from=today + timedelta(days=300))
    assert later.wishes == 2  # any time, and the one free from day 200 on
    with pytest.raises(Exception) as refused:
        wishes.wish_summary(user=officer, period_from=today, period_to=today - timedelta(days=1))
    assert "早于期间起" in refused.value.errors["period_to"]


# ---------------------------------------------------------------- cost


def _queries(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


@pytest.mark.parametrize("url", ["/training/wishes/?q=批量", "/api/v1/training-wishes?q=批量",
                                 "/training/wishes/summary/"])
def test_lists_and_the_summary_cost_the_same_queries_for_more_rows(client_for, api_for,
                                                                   user_named, url):
    officer = user_named("county_411403")

    def add(n):
        for _ in range(n):
            wishes.wish_record(actor=officer, person=factories.person("411403", "批量人"),
                               occupation="电工", region="411403", level="4")

    client = api_for("county_411403") if url.startswith("/api/") else client_for(
        "county_411403")
    add(1)
    _queries(client, url)  # the first request also signs the token in
    one = _queries(client, url)
    add(12)
    assert _queries(client, url) == one
