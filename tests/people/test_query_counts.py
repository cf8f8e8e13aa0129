"""Registry lists (pages and API) cost a fixed number of queries, however many rows they
show: adding people, imports, target groups or changes in the reader's scope adds no query
(as tests/orgs/test_query_counts.py pins for the organisations)."""

import hashlib

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from jineng.orgs.models import Region, User
from jineng.people.models import Person, PersonChange, PersonImport, TargetGroup

pytestmark = pytest.mark.django_db

COUNTY = "county_411402"
INSTITUTION = "inst_411402"


def add_people(n: int) -> list[Person]:
    """n people of 梁园区, each with a residence, a registering institution and groups."""
    home = Region.objects.get(code="411402")
    elsewhere = Region.objects.get(code="411403")
    school = User.objects.get(username=INSTITUTION).institution
    groups = sorted(TargetGroup.objects.values_list("code", flat=True)[:2])
    start = Person.objects.count()
    return Person.objects.bulk_create(
        Person(id_hash=hashlib.sha256(f"qc-{start + i}".encode()).digest(), id_cipher=b"-",
               id_masked=f"411402********{i:04d}", name=f"批量{i:03d}",
               household_region=home, residence_region=elsewhere, registered_by=school,
               target_groups=groups, phone_masked="138****0000")
        for i in range(n))


def add_imports(n: int) -> None:
    officer = User.objects.get(username=INSTITUTION)
    PersonImport.objects.bulk_create(
        PersonImport(region=officer.region, institution=officer.institution, created_by=officer,
                     file_name=f"花名册{i}.xlsx", file_path=f"imports/{i}.xlsx", total_rows=10,
                     rows_done=10, status="done")
        for i in range(n))


def add_target_groups(n: int) -> None:
    start = TargetGroup.objects.count()
    TargetGroup.objects.bulk_create(
        TargetGroup(code=f"qc_group_{start + i}", name=f"批量群体{start + i}") for i in range(n))


def add_changes(person: Person, n: int) -> None:
    """n changes of a person, by different members of staff (each named by organisation)."""
    actors = list(User.objects.exclude(username="sysadmin").values_list("pk", "username"))
    PersonChange.objects.bulk_create(
        PersonChange(person=person, at=timezone.now(), actor_id=actors[i % len(actors)][0],
                     actor_name=actors[i % len(actors)][1], source="page",
                     changes={"name": [f"旧{i}", f"新{i}"]})
        for i in range(n))


def queries(request) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = request()
        assert response.status_code == 200, response.content[:500]
    return len(ctx.captured_queries)


# An empty list skips the rows query: each count starts from one row, then adds 30.
GROW = {"people": add_people, "imports": add_imports, "groups": add_target_groups}

# (who, url, what to add, at most this many queries). A page: session, user, security
# policy, roles, their scope regions, the user's region, count, rows (the group names come
# with the rows; the people list adds its target-group filter's choices, read twice today),
# the session save with its savepoint.
# An API list: token, roles, their scope regions, count, rows. The import lists add one: the
# update that fails imports whose worker died (mark_orphaned_imports).
PAGES = [
    (COUNTY, "/people/", "people", 13),
    (INSTITUTION, "/people/imports/", "imports", 13),
    (COUNTY, "/people/target-groups/", "groups", 11),
]
APIS = [
    (COUNTY, "/api/v1/people?limit=100", "people", 5),
    (INSTITUTION, "/api/v1/people/imports?limit=100", "imports", 6),
    (COUNTY, "/api/v1/target-groups?limit=100", "groups", 5),
]


@pytest.mark.parametrize(("who", "url", "grow", "most"), PAGES, ids=[p[1] for p in PAGES])
def test_list_page_query_count_is_fixed(who, url, grow, most, client_for,
                                        django_assert_max_num_queries):
    client = client_for(who)
    GROW[grow](1)
    client.get(url)  # warm the session
    few = queries(lambda: client.get(url))
    GROW[grow](30)
    many = queries(lambda: client.get(url))
    assert many == few
    with django_assert_max_num_queries(most):
        client.get(url)


@pytest.mark.parametrize(("who", "url", "grow", "most"), APIS, ids=[a[1] for a in APIS])
def test_api_list_query_count_is_fixed(who, url, grow, most, api_for,
                                       django_assert_max_num_queries):
    client = api_for(who)
    GROW[grow](1)
    client.get(url)  # first use records last_used_at
    few = queries(lambda: client.get(url))
    GROW[grow](30)
    many = queries(lambda: client.get(url))
    assert many == few
    with django_assert_max_num_queries(most):
        client.get(url)


def test_grown_rows_are_listed(client_for, api_for):
    """The rows added above are in the reader's scope: the counts compare full pages."""
    add_people(30)
    page = client_for(COUNTY).get("/people/?q=批量")
    assert page.context["page"].paginator.count == 30
    body = api_for(COUNTY).get("/api/v1/people?name=批量&limit=100").json()
    assert body["count"] == 30 and {item["name"] for item in body["items"]} >= {"批量000"}
    add_imports(30)
    assert api_for(INSTITUTION).get("/api/v1/people/imports?limit=100").json()["count"] >= 30


def test_archive_and_history_query_count_does_not_grow_with_changes(client_for, api_for):
    person = add_people(1)[0]
    client, api = client_for(COUNTY), api_for(COUNTY)
    urls = [(client, f"/people/{person.pk}/"),
            (api, f"/api/v1/people/{person.pk}/history?limit=100")]
    for who, url in urls:
        who.get(url)
    add_changes(person, 2)
    few = [queries(lambda who=who, url=url: who.get(url)) for who, url in urls]
    add_changes(person, 30)
    assert [queries(lambda who=who, url=url: who.get(url)) for who, url in urls] == few
    assert api.get(f"/api/v1/people/{person.pk}/history?limit=100").json()["count"] == 32


def test_own_archive_query_count_does_not_grow_with_changes(client_for):
    person = Person.objects.filter(user__username="worker_411402").first()
    if person is None:
        pytest.skip("演示数据中劳动者账号未关联实名登记")
    worker = client_for("worker_411402")
    worker.get("/people/me/")
    add_changes(person, 2)
    few = queries(lambda: worker.get("/people/me/"))
    add_changes(person, 30)
    assert queries(lambda: worker.get("/people/me/")) == few

