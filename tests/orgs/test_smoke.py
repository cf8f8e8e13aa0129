import pytest

pytestmark = pytest.mark.django_db


def test_county_officer_lists_only_own_institutions_in_api(api_for):
    body = api_for("county_411402").get("/api/v1/institutions").json()
    regions = {item["region_code"] for item in body["items"]}
    assert regions == {"411402"}
    assert body["count"] >= 2


def test_city_officer_sees_both_counties(api_for):
    body = api_for("city_411400").get("/api/v1/institutions?limit=100").json()
    regions = {item["region_code"] for item in body["items"]}
    assert {"411402", "411403", "411400"} <= regions


def test_home_shows_counts_in_scope(client_for):
    response = client_for("county_411402").get("/")
    assert response.status_code == 200
    scope = next(p for p in response.context["panels"] if p.key == "scope")
    assert {s.key: s.value for s in scope.stats}["institutions"] == 3
