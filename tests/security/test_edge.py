"""What an attack on the edge found: a NUL in a query or a name was a server error on
PostgreSQL; no Content-Security-Policy; full numbers cacheable and in URLs; refused reveals
left no trail; the OpenAPI document hid the error answers, and a word for an id got an HTML
page."""

import datetime as dt
import io
import json

import pytest
from django.test import RequestFactory, override_settings
from hypothesis import given
from hypothesis import strategies as st

from jineng.core.identity import make_resident_number
from jineng.core.middleware import control_character_field
from jineng.core.models import AuditEvent
from jineng.people import services
from jineng.people.models import Person
from tests.people.test_import_kit import HEADERS, after_commit, person_row, write_xlsx

pytestmark = pytest.mark.django_db

JSON = "application/json"
NUMBER = make_resident_number("411403", dt.date(1990, 5, 6), 37)
REFUSED_Q = "字段「q」含有不可见的控制字符"


@pytest.fixture
def suiyang_person(user_named):
    return services.person_create(
        actor=user_named("county_411403"), id_number=NUMBER, name="睢阳边界人",
        phone="13512345678", household_region="411403", residence_region="411403")


# ---------------------------------------------------------------- control characters


def test_a_nul_in_the_public_catalogue_query_is_refused_with_a_chinese_page(client):
    response = client.get("/catalogue/?region=411402&q=a%00b")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert REFUSED_Q in response.content.decode()


def test_a_nul_in_the_api_catalogue_query_is_a_json_400_naming_the_field(client):
    response = client.get("/api/v1/catalogue?region=411402&q=a%00b")
    assert response.status_code == 400
    assert response.json() == {"code": "control_characters", "message": REFUSED_Q,
                               "errors": {"q": REFUSED_Q}}


def test_tab_and_newline_are_not_refused(client):
    assert client.get("/catalogue/?q=a%09b%0A").status_code == 200
    assert client.get("/api/v1/catalogue?region=411402&q=a%09b%0D%0A").status_code == 200


def test_creating_a_person_with_a_nul_in_the_name_is_refused_and_stores_nothing(api_for):
    number = make_resident_number("411402", dt.date(1991, 1, 1), 11)
    before = Person.objects.count()
    response = api_for("county_411402").post(
        "/api/v1/people", {"id_number": number, "name": "张\u0000三",
                           "household_region_code": "411402"}, content_type=JSON)
    assert response.status_code == 400
    assert response.json()["errors"] == {"name": "字段「name」含有不可见的控制字符"}
    assert Person.objects.count() == before


def test_a_control_character_deep_in_a_json_body_is_named_by_its_path(api_for):
    response = api_for("county_411402").post(
        "/api/v1/people", {"id_number": "x", "name": "李四", "target_groups": ["ok", "a\x1bb"]},
        content_type=JSON)
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["target_groups.1"]


def test_a_json_body_is_checked_whatever_its_content_type_says(api_for):
    response = api_for("county_411402").post("/api/v1/people/search", '{"name": "a\\u0000"}',
                                             content_type="text/plain")
    assert response.status_code == 400
    assert response.json()["errors"] == {"name": "字段「name」含有不可见的控制字符"}


def test_a_json_body_nested_too_deep_for_the_parser_is_a_400(api_for):
    response = api_for("county_411402").post("/api/v1/people/search",
                                             "[" * 5000 + "]" * 5000, content_type=JSON)
    assert response.status_code == 400
    assert response.json()["code"] == "too_deep"


def test_searching_people_with_a_nul_is_refused_on_the_api_and_the_page(api_for, client_for):
    api = api_for("county_411402")
    searched = api.post("/api/v1/people/search", {"name": "赵\x00"}, content_type=JSON)
    assert searched.status_code == 400
    assert searched.json()["errors"] == {"name": "字段「name」含有不可见的控制字符"}
    assert api.get("/api/v1/people?q=%00").status_code == 400
    page = client_for("county_411402").get("/people/?q=a%00")
    assert page.status_code == 400 and REFUSED_Q in page.content.decode()


def test_the_registration_form_with_a_nul_in_the_name_is_refused(client_for):
    before = Person.objects.count()
    response = client_for("county_411402").post("/people/new/", {
        "doc_type": "resident", "name": "王\x00五", "household_region": "411402",
        "id_number": make_resident_number("411402", dt.date(1992, 2, 2), 21)})
    assert response.status_code == 400
    assert "字段「name」含有不可见的控制字符" in response.content.decode()
    assert Person.objects.count() == before


@given(st.text(max_size=12))
def test_a_text_is_refused_exactly_when_it_holds_a_c0_control_other_than_tab_lf_cr(text):
    request = RequestFactory().post("/api/v1/x", {"v": text}, content_type=JSON)
    controls = {chr(c) for c in range(32)} - {"\t", "\n", "\r"}
    assert (control_character_field(request) == "v") == bool(controls & set(text))


# ---------------------------------------------------------------- CSP and no-store


@pytest.mark.parametrize("path", ["/login/", "/catalogue/", "/api/v1/catalogue",
                                  "/api/v1/docs", "/no-such-page/"])
def test_every_answer_carries_a_content_security_policy_of_own_assets_only(client, path):
    policy = client.get(path)["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy


def test_pages_hold_no_inline_style_or_script(client_for, suiyang_person):
    client = client_for("city_411400")
    for path in ("/", "/people/", f"/people/{suiyang_person.pk}/", "/people/imports/new/"):
        html = client.get(path).content.decode()
        assert "<style" not in html and " style=" not in html, path
        assert "<script>" not in html, path
        assert '"includeIndicatorStyles": false' in html  # htmx adds no <style> of its own


def _no_store(response) -> bool:
    return "no-store" in response.get("Cache-Control", "")


def test_revealed_numbers_are_not_stored_by_any_cache(client_for, api_for, suiyang_person):
    page = client_for("city_411400").post(f"/people/{suiyang_person.pk}/reveal/")
    assert page.status_code == 200 and NUMBER in page.content.decode() and _no_store(page)
    api = api_for("city_411400").post(f"/api/v1/people/{suiyang_person.pk}/reveal")
    assert api.json()["id_number"] == NUMBER and _no_store(api)
    assert not _no_store(client_for("city_411400").get(f"/people/{suiyang_person.pk}/"))


def test_exports_and_import_reports_are_not_stored_by_any_cache(client_for, api_for, tmp_path):
    with override_settings(MEDIA_ROOT=str(tmp_path / "media")):
        export = client_for("city_411400").get("/people/?export=xlsx")
        assert export.status_code == 200 and _no_store(export)
        api = api_for("county_411402")
        roster = write_xlsx(tmp_path / "名单.xlsx", [HEADERS, person_row(301),
                                                    person_row(303, 手机号="1")])
        with open(roster, "rb") as f, after_commit():
            started = api.post("/api/v1/people/imports", {"file": f, "region_code": "411402"})
        pk = started.json()["id"]
        report = api.get(f"/api/v1/people/imports/{pk}/report")
        assert report.status_code == 200 and _no_store(report)
        page = client_for("county_411402").get(f"/people/imports/{pk}/report.xlsx")
        assert page.status_code == 200 and _no_store(page)
        io.BytesIO(b"".join(page.streaming_content))  # the file is read to the end


# ---------------------------------------------------------------- numbers by POST only


def test_the_api_takes_a_full_number_by_post_only(api_for, suiyang_person):
    api = api_for("city_411400")
    for query in (f"id_number={NUMBER}", f"q={NUMBER}"):
        response = api.get(f"/api/v1/people?{query}")
        assert response.status_code == 400, query
        assert response.json()["code"] == "number_in_url"
        assert "POST /api/v1/people/search" in response.json()["message"]
    found = api.post("/api/v1/people/search", {"id_number": NUMBER}, content_type=JSON).json()
    assert [p["id"] for p in found["items"]] == [suiyang_person.pk]
    assert api.get("/api/v1/people?q=睢阳边界").json()["count"] == 1


def test_the_openapi_get_of_people_takes_no_number(client):
    operation = client.get("/api/v1/openapi.json").json()["paths"]["/api/v1/people"]["get"]
    assert "id_number" not in {p["name"] for p in operation["parameters"]}
    assert "400" in operation["responses"]


# ---------------------------------------------------------------- refused reveals audited


def test_a_reveal_outside_the_scope_is_refused_and_audited(api_for, client_for, suiyang_person):
    response = api_for("county_411402").post(f"/api/v1/people/{suiyang_person.pk}/reveal")
    assert response.status_code == 404
    page = client_for("county_411402").post("/people/987654321/reveal/")
    assert page.status_code == 404
    refused = list(AuditEvent.objects.filter(action="reveal_refused").order_by("id")
                   .values_list("actor_name", "object_type", "object_id", "changes"))
    assert [r[:3] for r in refused] == [
        ("county_411402", "people.person", str(suiyang_person.pk)),
        ("county_411402", "people.person", "987654321")]
    assert [r[3]["status"] for r in refused] == [404, 404]
    assert not AuditEvent.objects.filter(action="view_sensitive").exists()


def test_a_reveal_without_the_permission_is_refused_and_audited(api_for, suiyang_person):
    response = api_for("reviewer_411400").post(
        f"/api/v1/people/{suiyang_person.pk}/reveal?reason=好奇")
    assert response.status_code == 403
    event = AuditEvent.objects.get(action="reveal_refused")
    assert (event.actor_name, event.object_id) == ("reviewer_411400", str(suiyang_person.pk))
    assert event.changes["status"] == 403 and event.changes["reason"] == "好奇"


# ---------------------------------------------------------------- OpenAPI and JSON 404s


def _no_duplicate_keys(pairs):
    keys = [k for k, _ in pairs]
    assert len(keys) == len(set(keys)), keys  # Swagger UI refuses the whole document
    return dict(pairs)


def test_every_operation_documents_its_error_answers_and_their_shape(client):
    schema = json.loads(client.get("/api/v1/openapi.json").content,
                        object_pairs_hook=_no_duplicate_keys)
    error = schema["components"]["schemas"]["ErrorOut"]
    assert {"code", "message", "errors"} <= set(error["properties"])
    missing = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            for status in ("400", "403", "404", "422"):
                answer = operation["responses"].get(status, {})
                ref = answer.get("content", {}).get(JSON, {}).get("schema", {}).get("$ref")
                if ref != "#/components/schemas/ErrorOut":
                    missing.append(f"{method.upper()} {path} {status}")
    assert missing == []


@pytest.mark.parametrize("path", [
    "/api/v1/people/abc", "/api/v1/people/abc/history", "/api/v1/programmes/abc",
    "/api/v1/people/imports/x", "/api/v1/institutions/1.5", "/api/v1/no-such-thing",
])
def test_a_word_for_an_id_or_an_unknown_address_is_the_json_404(api_for, path):
    response = api_for("city_411400").get(path)
    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "message": "记录不存在或无权访问",
                               "errors": {}}


def test_a_form_sent_where_json_belongs_is_a_422_not_a_server_error(api_for):
    response = api_for("city_411400").post("/api/v1/people", {"name": "赵六"})  # multipart
    assert response.status_code == 422
    assert response.json()["errors"] == {"body": "请求体不是有效的 JSON"}
