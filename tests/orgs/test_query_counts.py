"""List pages and API lists cost a fixed number of queries, however many rows they show."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jineng.core.codes import make_credit_code
from jineng.orgs.models import Institution, Region

pytestmark = pytest.mark.django_db

# session, user, security policy, roles, their scope regions, the user's region, count, rows,
# and the session save (with its savepoint); the user list adds its role filter and roles.
PAGE_MAX = {"/orgs/institutions/": 11, "/orgs/users/": 14, "/orgs/regions/": 11,
            "/orgs/departments/": 11}
API_MAX = 8  # token, last-used update, roles + scope regions, count, rows


def add_institutions(n: int) -> None:
    region = Region.objects.get(code="411402")
    Institution.objects.bulk_create(
        Institution(name=f"批量培训学校{i:03d}", kind="training", region=region,
                    credit_code=make_credit_code(f"52411402MJ{i:07d}"))
        for i in range(n)
    )


def queries(request) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = request()
        assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("url", [
    "/orgs/institutions/", "/orgs/users/", "/orgs/regions/", "/orgs/departments/",
])
def test_list_page_query_count_is_fixed(url, client_for, django_assert_max_num_queries):
    client = client_for("city_411400")
    client.get(url)  # warm the session
    few = queries(lambda: client.get(url))
    add_institutions(30)
    many = queries(lambda: client.get(url))
    assert many == few
    with django_assert_max_num_queries(PAGE_MAX[url]):
        client.get(url)


def test_institution_list_page_shows_a_full_page(client_for):
    add_institutions(30)
    response = client_for("county_411402").get("/orgs/institutions/")
    assert len(response.context["rows"]) == 25
    assert response.context["page"].paginator.count == 33
    second = client_for("county_411402").get("/orgs/institutions/?page=2")
    assert len(second.context["rows"]) == 8


@pytest.mark.parametrize("collection", ["institutions", "departments", "regions"])
def test_api_list_query_count_is_fixed(collection, api_for, django_assert_max_num_queries):
    client = api_for("city_411400")
    client.get(f"/api/v1/{collection}")  # first use records last_used_at
    few = queries(lambda: client.get(f"/api/v1/{collection}?limit=100"))
    add_institutions(30)
    many = queries(lambda: client.get(f"/api/v1/{collection}?limit=100"))
    assert many == few
    with django_assert_max_num_queries(API_MAX):
        client.get(f"/api/v1/{collection}?limit=100")


def test_audit_page_query_count_is_fixed(client_for, user_named):
    from jineng.orgs import services

    client = client_for("auditadmin")
    client.get("/core/audit/")
    few = queries(lambda: client.get("/core/audit/"))
    admin = user_named("sysadmin")
    for i in range(30):
        services.user_set_language(user=admin, language="en" if i % 2 == 0 else "zh-hans")
    assert queries(lambda: client.get("/core/audit/")) == few


def test_home_page_query_count_is_fixed(client_for):
    client = client_for("city_411400")
    client.get("/")
    few = queries(lambda: client.get("/"))
    add_institutions(30)
    assert queries(lambda: client.get("/")) == few
