import pytest

pytestmark = pytest.mark.django_db


def test_a_missing_field_is_named_in_chinese(api_for):
    response = api_for("city_411400").post(
        "/api/v1/people", data={"doc_type": "resident"}, content_type="application/json"
    )
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid"
    assert body["errors"]["id_number"] == "必填"
    assert "id_number：必填" in body["message"]


def test_a_wrongly_typed_query_parameter_is_named_in_chinese(api_for):
    response = api_for("city_411400").get("/api/v1/institutions?limit=many")
    assert response.status_code == 422
    assert response.json()["errors"] == {"limit": "应为整数"}


def test_chinese_is_sent_as_utf8_not_escaped(api_for):
    response = api_for("county_411402").get("/api/v1/regions/411402")
    assert "梁园区" in response.content.decode("utf-8")
