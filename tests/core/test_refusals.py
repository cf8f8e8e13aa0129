"""One refusal vocabulary (core/refusals.py): the same refusal answers with the same status
and shape in every app, on the API and on pages."""

import pytest

from jineng.orgs.models import Institution
from jineng.people.models import Person

JSON = "application/json"
COUNTY = "county_411402"  # 梁园区; its sibling county is 睢阳区 (411403)


def _refusal(response, status: int, code: str) -> dict:
    body = response.json()
    assert response.status_code == status, body
    assert body["code"] == code and body["message"], body
    return body


# An action no role of the actor grants: 403 "forbidden" with a Chinese message, everywhere.
NOT_GRANTED = [
    ("/api/v1/people", {"id_number": "110101199003074514", "name": "王五",
                        "household_region_code": "411402"}, "/people/new/"),
    ("/api/v1/policy-documents", {"region_code": "411402", "issuer": "x", "title": "x"},
     "/catalog/documents/new/"),
]


@pytest.mark.parametrize(("api_url", "payload", "page_url"), NOT_GRANTED)
def test_an_action_not_granted_is_403_on_the_api_and_on_the_page(
        api_for, client_for, api_url, payload, page_url):
    body = _refusal(api_for("worker_411402").post(api_url, payload, content_type=JSON),
                    403, "forbidden")
    assert "权限" in body["message"]
    page = client_for("worker_411402").get(page_url)
    assert page.status_code == 403
    assert "没有执行此操作的权限" in page.content.decode()


def test_an_orgs_page_not_granted_is_403_and_the_same_page_in_english(client_for):
    client = client_for("worker_411402")
    assert client.get("/orgs/institutions/").status_code == 403
    client.cookies["django_language"] = "en"
    page = client.get("/orgs/institutions/new/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 403


# A record created in a region outside the actor's scope: 403 "out_of_scope" naming the field.
OUT_OF_SCOPE = [
    ("/api/v1/people", {"id_number": "110101199003074514", "name": "王五",
                        "household_region_code": "411403"}, "household_region"),
    ("/api/v1/policy-documents", {"region_code": "411403", "issuer": "睢阳区人社局",
                                  "title": "睢阳区文件"}, "region"),
]


@pytest.mark.parametrize(("api_url", "payload", "field"), OUT_OF_SCOPE)
def test_a_region_outside_scope_is_403_out_of_scope_in_every_app(api_for, api_url, payload,
                                                                  field):
    body = _refusal(api_for(COUNTY).post(api_url, payload, content_type=JSON),
                    403, "out_of_scope")
    assert "睢阳区" in body["message"]
    assert any(key.startswith(field) for key in body["errors"]), body


def test_a_record_outside_scope_is_404_as_if_missing_on_api_and_pages(api_for, client_for):
    institution = Institution.objects.get(name="商丘市睢阳区技工学校")
    person = Person.objects.filter(household_region__code="411403").first()
    api, page = api_for(COUNTY), client_for(COUNTY)
    missing = _refusal(api.get("/api/v1/institutions/999999"), 404, "not_found")
    assert _refusal(api.get(f"/api/v1/institutions/{institution.pk}"), 404,
                    "not_found") == missing
    assert page.get(f"/orgs/institutions/{institution.pk}/").status_code == 404
    if person is not None:
        assert _refusal(api.get(f"/api/v1/people/{person.pk}"), 404, "not_found") == missing
        assert page.get(f"/people/{person.pk}/").status_code == 404
