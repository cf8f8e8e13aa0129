"""Scope and masking on the pages and the API: a sibling county sees nothing of a resident who
has no link to it (the same 404 as a missing record), a worker sees only themself, numbers are
masked everywhere and the unmasked view is audited. List pages pin their query count."""

import datetime as dt
import json

import pytest

from jineng.core.identity import make_resident_number
from jineng.core.models import AuditEvent
from jineng.orgs.models import Region
from jineng.people import services
from jineng.people.models import Person

pytestmark = pytest.mark.django_db

SUIYANG_NUMBER = make_resident_number("411403", dt.date(1988, 8, 8), 245)
MISSING_PK = 987654321


@pytest.fixture
def suiyang_resident(user_named):
    """Household and residence in 睢阳区, registered by the 睢阳 officer: no link to 梁园区."""
    return services.person_create(
        actor=user_named("county_411403"), id_number=SUIYANG_NUMBER, name="睢阳测试人",
        phone="13566667777", household_region="411403", residence_region="411403",
        target_groups=["unemployed"],
    )


# ---------------------------------------------------------------- a sibling county


def test_sibling_county_cannot_list_search_or_open(client_for, suiyang_resident):
    client = client_for("county_411402")
    listing = client.get("/people/")
    assert listing.status_code == 200
    assert "睢阳测试人" not in listing.content.decode()
    for query in ("q=睢阳测试人", "target_group=unemployed", "region_code=411403"):
        rows = client.get(f"/people/?{query}").context["rows"]
        assert f"/people/{suiyang_resident.pk}/" not in [r["url"] for r in rows], query
    # The exact-number search is a POST (the number never goes into a URL).
    rows = client.post("/people/", {"id_number": SUIYANG_NUMBER}).context["rows"]
    assert rows == []
    opened = client.get(f"/people/{suiyang_resident.pk}/")
    missing = client.get(f"/people/{MISSING_PK}/")
    assert opened.status_code == missing.status_code == 404
    assert client.get(f"/people/{suiyang_resident.pk}/edit/").status_code == 404
    assert client.post(f"/people/{suiyang_resident.pk}/reveal/").status_code == 404
    assert not AuditEvent.objects.filter(action="view_sensitive").exists()


def test_city_officer_sees_both_counties(client_for, suiyang_resident):
    client = client_for("city_411400")
    for query in ("q=睢阳测", "region_code=411403"):
        rows = client.get(f"/people/?{query}").context["rows"]
        assert f"/people/{suiyang_resident.pk}/" in [r["url"] for r in rows], query
    rows = client.post("/people/", {"id_number": SUIYANG_NUMBER.lower()}).context["rows"]
    assert [r["url"] for r in rows] == [f"/people/{suiyang_resident.pk}/"]
    assert client.get(f"/people/{suiyang_resident.pk}/").status_code == 200


def test_sibling_county_api_404_is_the_same_as_missing(api_for, suiyang_resident):
    api = api_for("county_411402")
    body = api.get("/api/v1/people?limit=100").json()
    assert suiyang_resident.pk not in {p["id"] for p in body["items"]}
    for p in body["items"]:
        assert "411402" in (p["household_region_code"], p["residence_region_code"])
    for query in ("q=睢阳测试人", "region_code=411403", "target_group=unemployed"):
        items = api.get(f"/api/v1/people?{query}&limit=100").json()["items"]
        assert suiyang_resident.pk not in {p["id"] for p in items}, query
    by_number = api.post("/api/v1/people/search?limit=100", {"id_number": SUIYANG_NUMBER},
                         content_type="application/json").json()["items"]
    assert suiyang_resident.pk not in {p["id"] for p in by_number}
    opened = api.get(f"/api/v1/people/{suiyang_resident.pk}")
    missing = api.get(f"/api/v1/people/{MISSING_PK}")
    assert opened.status_code == missing.status_code == 404
    assert opened.json() == missing.json()
    patched = api.patch(f"/api/v1/people/{suiyang_resident.pk}", {"name": "改名"},
                        content_type="application/json")
    assert patched.status_code == 404
    assert api.post(f"/api/v1/people/{suiyang_resident.pk}/reveal").status_code == 404
    city = api_for("city_411400")
    assert city.post("/api/v1/people/search", {"id_number": SUIYANG_NUMBER},
                     content_type="application/json").json()["count"] == 1
    assert city.get(f"/api/v1/people/{suiyang_resident.pk}").status_code == 200


def test_a_link_by_residence_makes_the_record_visible(user_named, api_for):
    person = services.person_create(
        actor=user_named("city_411400"), name="住在梁园",
        id_number=make_resident_number("411403", dt.date(1990, 2, 2), 31),
        household_region="411403", residence_region="411402",
    )
    assert api_for("county_411402").get(f"/api/v1/people/{person.pk}").status_code == 200
    assert api_for("county_411403").get(f"/api/v1/people/{person.pk}").status_code == 200
    assert api_for("city_532500").get(f"/api/v1/people/{person.pk}").status_code == 404


def test_institution_operator_sees_only_own_registrations(api_for, suiyang_resident):
    body = api_for("inst_411402").get("/api/v1/people?limit=100").json()
    ids = {p["id"] for p in body["items"]}
    assert suiyang_resident.pk not in ids
    own = Person.objects.filter(registered_by__name="商丘市梁园区金蓝领职业培训学校")
    assert ids == set(own.values_list("pk", flat=True)) and ids


# ---------------------------------------------------------------- the worker


def test_worker_sees_own_archive_and_nothing_else(client_for, api_for, suiyang_resident):
    client = client_for("worker_411402")
    me = client.get("/people/me/")
    assert me.status_code == 200
    html = me.content.decode()
    assert "张三" in html and "终身职业技能培训电子档案" in html and "暂无记录" in html
    own = me.context["person"]
    assert client.get("/people/").url == "/people/me/"
    assert client.get(f"/people/{own.pk}/").status_code == 200
    assert client.get(f"/people/{suiyang_resident.pk}/").status_code == 404
    assert client.get(f"/people/{own.pk}/edit/").status_code == 404
    assert client.get("/people/new/").status_code == 403
    assert client.get("/people/target-groups/").status_code == 403
    api = api_for("worker_411402")
    body = api.get("/api/v1/people?limit=100").json()
    assert [p["id"] for p in body["items"]] == [own.pk]
    assert api.get("/api/v1/people/me").json()["id"] == own.pk
    assert api.get(f"/api/v1/people/{suiyang_resident.pk}").status_code == 404


def test_unlinked_login_gets_a_friendly_empty_archive(client_for, api_for):
    response = client_for("county_411402").get("/people/me/")
    assert response.status_code == 200 and "尚未关联" in response.content.decode()
    assert api_for("county_411402").get("/api/v1/people/me").status_code == 404


# ---------------------------------------------------------------- masking


def test_numbers_are_masked_on_pages_and_in_the_api(client_for, api_for, suiyang_resident):
    client = client_for("city_411400")
    for url in ("/people/", "/people/?q=睢阳", f"/people/{suiyang_resident.pk}/",
                f"/people/{suiyang_resident.pk}/edit/", "/people/?export=xlsx"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert SUIYANG_NUMBER.encode() not in response.content, url
        assert b"13566667777" not in response.content, url
    body = api_for("city_411400").get(f"/api/v1/people/{suiyang_resident.pk}").json()
    assert body["id_masked"] == SUIYANG_NUMBER[:4] + "*" * 10 + SUIYANG_NUMBER[-4:]
    assert body["phone_masked"] == "135****7777"
    assert SUIYANG_NUMBER not in str(body) and "13566667777" not in str(body)
    history = api_for("city_411400").get(f"/api/v1/people/{suiyang_resident.pk}/history").json()
    assert history["count"] == 1 and SUIYANG_NUMBER not in str(history)


def test_reveal_on_the_archive_page_is_permitted_and_audited(client_for, suiyang_resident):
    client = client_for("county_411403")
    page = client.get(f"/people/{suiyang_resident.pk}/")
    assert "显示完整号码" in page.content.decode()
    revealed = client.post(f"/people/{suiyang_resident.pk}/reveal/")
    assert revealed.status_code == 200
    assert SUIYANG_NUMBER in revealed.content.decode()
    event = AuditEvent.objects.get(action="view_sensitive")
    assert event.actor_name == "county_411403" and event.object_id == str(suiyang_resident.pk)


def test_reveal_without_permission(client_for, api_for, suiyang_resident):
    client = client_for("reviewer_411400")  # may view, may not unmask
    page = client.get(f"/people/{suiyang_resident.pk}/")
    assert page.status_code == 200 and "显示完整号码" not in page.content.decode()
    assert client.post(f"/people/{suiyang_resident.pk}/reveal/").status_code == 403
    response = api_for("reviewer_411400").post(f"/api/v1/people/{suiyang_resident.pk}/reveal")
    assert response.status_code == 403 and response.json()["code"] == "forbidden"
    assert not AuditEvent.objects.filter(action="view_sensitive").exists()


def test_reveal_through_the_api(api_for, suiyang_resident):
    response = api_for("city_411400").post(
        f"/api/v1/people/{suiyang_resident.pk}/reveal?reason=核对")
    assert response.status_code == 200
    assert response.json()["id_number"] == SUIYANG_NUMBER
    assert AuditEvent.objects.filter(action="view_sensitive").count() == 1


def test_enrolment_lookup_page_and_api(client_for, api_for, suiyang_resident):
    page = client_for("inst_411402").post("/people/lookup/", {
        "doc_type": "resident", "id_number": SUIYANG_NUMBER})
    html = page.content.decode()
    assert page.status_code == 200 and "睢***人" in html
    assert "睢阳测试人" not in html and SUIYANG_NUMBER not in html
    body = api_for("inst_411402").post("/api/v1/people/lookup", {"id_number": SUIYANG_NUMBER},
                                       content_type="application/json").json()
    assert body == {"found": True, "person": {
        "person_id": suiyang_resident.pk, "name_masked": "睢***人",
        "id_masked": suiyang_resident.id_masked, "sex": "M", "birth_year": 1988}}
    assert AuditEvent.objects.filter(action="lookup_person").count() == 2
    assert client_for("worker_411402").get("/people/lookup/").status_code == 403


# ---------------------------------------------------------------- cost


def _many(user_named, n=30):
    actor = user_named("county_411402")
    start = Person.objects.filter(name__startswith="批量").count()
    for i in range(start, start + n):
        services.person_create(
            actor=actor, name=f"批量{chr(0x4e00 + i)}",
            id_number=make_resident_number("411402", dt.date(1995, 1, 1), 500 + i),
            household_region="411402", residence_region="411402",
            target_groups=["graduate", "unemployed"],
        )


def _queries(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(("url", "ceiling"), [
    ("/people/", 15),
    # the region filter looks its region up by name or code: one query more
    ("/people/?target_group=graduate&region_code=411402", 16),
])
def test_list_page_query_count_is_pinned(client_for, user_named, url, ceiling):
    client = client_for("county_411402")
    _many(user_named, 3)
    client.get(url)
    few = _queries(client, url)
    _many(user_named, 30)
    assert _queries(client, url) == few <= ceiling  # no query per row


def test_api_list_query_count_is_pinned(api_for, user_named):
    api = api_for("county_411402")
    _many(user_named, 3)
    api.get("/api/v1/people?limit=1")  # the token's first use is recorded once
    few = _queries(api, "/api/v1/people?limit=50")
    _many(user_named, 30)
    assert _queries(api, "/api/v1/people?limit=50") == few <= 8


def test_a_name_prefix_within_a_region_is_an_index_range_on_postgresql():
    """Search by name and region (person_list's name__startswith) reads the region's
    index range for the prefix, not every person of the region."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's plan; SQLite has no LIKE index without a case-sensitive LIKE")
    region = Region.objects.get(code="411402")
    qs = Person.objects.filter(household_region=region, name__startswith="张")
    with connection.cursor() as c:
        c.execute("SET LOCAL enable_seqscan = off")
        sql, params = qs.query.sql_with_params()
        c.execute("EXPLAIN (FORMAT JSON) " + sql, params)
        plan = json.dumps(c.fetchone()[0], ensure_ascii=False)
    assert "person_region_name" in plan
    assert '"Index Cond": "((household_region_id = ' in plan and "name)::text ~>=~" in plan
