"""A worker (劳动者) holds their own record and its history, nothing else: the staff pages
are refused however the URL is reached, while the public catalogue stays open to them and to
anyone."""

import pytest

from jineng.catalog.models import PolicyVersion, Programme
from jineng.orgs.models import User

pytestmark = pytest.mark.django_db

WORKER = "worker_411402"

STAFF_PAGES = [
    "/orgs/users/", "/orgs/institutions/", "/orgs/regions/", "/orgs/departments/",
    "/catalog/occupations/", "/catalog/work-types/", "/catalog/levels/", "/catalog/policies/",
    "/catalog/in-force/", "/catalog/documents/", "/catalog/programmes/", "/catalog/budgets/",
    "/catalog/catalogue/upload/", "/catalog/policies/new/", "/catalog/programmes/new/",
]


@pytest.mark.parametrize("url", STAFF_PAGES)
def test_worker_is_refused_staff_pages(url, client_for):
    response = client_for(WORKER).get(url)
    assert response.status_code in (403, 404), (url, response.status_code)
    assert client_for("city_411400").get(url).status_code == 200  # the page exists


def test_worker_cannot_open_records_by_id(client_for, user_named):
    worker = client_for(WORKER)
    own = user_named(WORKER)
    other = User.objects.get(username="county_411402")
    for pk in (own.pk, other.pk):
        assert worker.get(f"/orgs/users/{pk}/").status_code in (403, 404)
    version = PolicyVersion.objects.filter(region__code="411402").first() \
        or PolicyVersion.objects.first()
    programme = Programme.objects.first()
    urls = [f"/catalog/policies/{version.pk}/"] if version else []
    urls += [f"/catalog/programmes/{programme.pk}/"] if programme else []
    for url in urls:
        assert worker.get(url).status_code in (403, 404), url


@pytest.mark.parametrize("collection", [
    "occupations", "skill-levels", "fund-sources", "evaluation-types", "policies",
    "policy-documents", "programmes", "fund-budgets",
])
def test_worker_reads_no_catalogue_administration_through_the_api(collection, api_for):
    response = api_for(WORKER).get(f"/api/v1/{collection}")
    assert response.status_code in (200, 403, 404)
    if response.status_code == 200:
        body = response.json()
        assert (body["items"] if isinstance(body, dict) else body) == []
    assert api_for("reviewer_411400").get(f"/api/v1/{collection}").json()


def test_public_catalogue_stays_public(client_for, client):
    for visitor in (client_for(WORKER), client):
        page = visitor.get("/catalogue/?region=411402")
        assert page.status_code == 200
        assert page.context["rows"], "the catalogue in force for 梁园区 lists entries"
        assert visitor.get("/api/v1/catalogue?region=411402").status_code == 200


def test_worker_keeps_their_own_archive(client_for):
    page = client_for(WORKER).get("/people/me/")
    assert page.status_code == 200
    assert "张三" in page.content.decode()
