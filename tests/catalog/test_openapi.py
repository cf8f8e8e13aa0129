import pytest

pytestmark = pytest.mark.django_db


def test_catalog_endpoints_are_documented(client):
    schema = client.get("/api/v1/openapi.json").json()
    paths = schema["paths"]
    for path in ("/api/v1/policies/resolve", "/api/v1/policies", "/api/v1/catalogue",
                 "/api/v1/programmes", "/api/v1/fund-budgets", "/api/v1/occupations"):
        assert path in paths, path
    assert paths["/api/v1/catalogue"]["get"].get("security") in (None, [])  # public
    resolve = {p["name"] for p in paths["/api/v1/policies/resolve"]["get"]["parameters"]}
    assert {"kind", "region", "date"} <= resolve
