"""The registry API: create, read, update, search; JSON errors naming the field; pages."""

import datetime as dt

import pytest

from jineng.core.identity import make_resident_number
from jineng.people.models import Person, PersonChange

pytestmark = pytest.mark.django_db

NUMBER = make_resident_number("411402", dt.date(1999, 9, 9), 44)  # even: female
JSON = "application/json"


def _payload(**overrides):
    body = {
        "id_number": f" {NUMBER[:6]} {NUMBER[6:14]} {NUMBER[14:]} ".replace("X", "x"),
        "name": "赵 六", "phone": "１３９ ００００ ０１２３", "household_region_code": "411402",
        "education": "bachelor", "employment_status": "就业",
        "target_groups": ["graduate", "新就业形态"],
    }
    body.update(overrides)
    return body


def test_create_read_update_search(api_for):
    api = api_for("county_411402")
    created = api.post("/api/v1/people", _payload(), content_type=JSON)
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["name"] == "赵六" and body["sex"] == "F" and body["birth_date"] == "1999-09-09"
    assert body["id_masked"] == NUMBER[:4] + "*" * 10 + NUMBER[-4:]
    assert body["phone_masked"] == "139****0123"
    assert (body["region_code"], body["region_name"]) == ("411402", "梁园区")
    assert body["target_groups"] == ["graduate", "new_employment_form"]
    assert NUMBER not in created.content.decode()
    pk = body["id"]

    assert api.get(f"/api/v1/people/{pk}").json()["id"] == pk
    found = api.post("/api/v1/people/search", {"id_number": f"{NUMBER[:6]}-{NUMBER[6:]}"},
                     content_type="application/json").json()
    assert [p["id"] for p in found["items"]] == [pk]
    assert api.get("/api/v1/people?q=赵六").json()["count"] == 1
    assert api.get("/api/v1/people?target_group=graduate&region_code=411400").json()["count"] >= 1

    patched = api.patch(f"/api/v1/people/{pk}", {"residence_region_code": "411402",
                                                 "target_groups": []}, content_type=JSON)
    assert patched.status_code == 200, patched.content
    assert patched.json()["residence_region_code"] == "411402"
    assert patched.json()["target_groups"] == []
    assert patched.json()["name"] == "赵六"  # fields not sent stay
    change = PersonChange.objects.filter(person_id=pk).order_by("-id").first()
    assert change.source == "api" and set(change.changes) == {"residence_region", "target_groups"}
    history = api.get(f"/api/v1/people/{pk}/history").json()
    assert history["count"] == 2


def test_pagination_limit_offset(api_for):
    api = api_for("city_411400")
    first = api.get("/api/v1/people?limit=5&offset=0").json()
    second = api.get("/api/v1/people?limit=5&offset=5").json()
    assert first["count"] == second["count"] >= 20
    assert len(first["items"]) == len(second["items"]) == 5
    assert not {p["id"] for p in first["items"]} & {p["id"] for p in second["items"]}


@pytest.mark.parametrize(("overrides", "field", "words"), [
    ({"id_number": NUMBER[:17] + ("1" if NUMBER[17] != "1" else "2")}, "id_number", "校验位"),
    ({"birth_date": "1999-09-10"}, "birth_date", "出生日期"),
    ({"sex": "M"}, "sex", "性别"),
    ({"household_region_code": "419999"}, "household_region_code", "户籍地"),
    ({"phone": "10086"}, "phone", "手机号"),
    ({"target_groups": ["nobody"]}, "target_groups", "重点群体"),
])
def test_bad_input_is_json_with_code_and_chinese_message_naming_the_field(
        api_for, overrides, field, words):
    before = (Person.objects.count(), PersonChange.objects.count())
    response = api_for("county_411402").post("/api/v1/people", _payload(**overrides),
                                             content_type=JSON)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert words in body["message"] and field in body["errors"]
    assert (Person.objects.count(), PersonChange.objects.count()) == before


def test_missing_field_and_duplicate(api_for):
    api = api_for("county_411402")
    missing = api.post("/api/v1/people", {"name": "无号码"}, content_type=JSON)
    assert missing.status_code == 422
    assert any(k.endswith("id_number") for k in missing.json()["errors"])
    assert api.post("/api/v1/people", _payload(), content_type=JSON).status_code == 201
    again = api.post("/api/v1/people", _payload(name="另一人"), content_type=JSON)
    assert again.status_code == 409
    assert again.json()["code"] == "duplicate" and "已登记" in again.json()["message"]


def test_out_of_scope_region_is_refused(api_for):
    response = api_for("county_411402").post(
        "/api/v1/people", _payload(household_region_code="411403"), content_type=JSON)
    assert response.status_code == 403
    assert response.json()["code"] == "out_of_scope"
    assert "household_region_code" in response.json()["errors"]


def test_target_groups_api(api_for):
    # An institution registering people through the API reads the codes too.
    groups = api_for("inst_411402").get("/api/v1/target-groups?limit=100").json()
    assert "高校毕业生" in {g["name"] for g in groups["items"]}
    # Shared reference data: the province extends it, a city may not (see test_registry_fixes).
    created = api_for("province_410000").post("/api/v1/target-groups",
                                              {"code": "home_care", "name": "家政从业人员"},
                                              content_type=JSON)
    assert created.status_code == 201
    denied = api_for("inst_411402").post("/api/v1/target-groups",
                                         {"code": "x_group", "name": "某群体"}, content_type=JSON)
    assert denied.status_code == 403


# ---------------------------------------------------------------- pages


def test_register_and_edit_through_the_pages(client_for):
    client = client_for("county_411402")
    form = client.get("/people/new/")
    assert form.status_code == 200
    response = client.post("/people/new/", {
        "doc_type": "resident", "id_number": NUMBER.lower(), "name": "页面登记",
        "phone": "13900000123", "household_region": "411402", "target_groups": ["veteran"],
    })
    assert response.status_code == 302, response.content.decode()
    person = Person.objects.get(name="页面登记")
    archive = client.get(response.url)
    html = archive.content.decode()
    assert "页面登记" in html and "退役军人" in html and NUMBER not in html
    for section in ("培训记录", "技能等级证书", "培训券", "补贴享受", "信息变更记录"):
        assert section in html
    edited = client.post(f"/people/{person.pk}/edit/", {
        "doc_type": "resident", "id_number": "", "name": "页面登记", "phone": "",
        "household_region": "411402", "residence_region": "411402",
        "employment_status": "unemployed", "target_groups": ["veteran", "unemployed"],
    })
    assert edited.status_code == 302, edited.content.decode()
    person.refresh_from_db()
    assert person.employment_status == "unemployed" and person.phone_masked == "139****0123"
    assert "失业人员" in client.get(f"/people/{person.pk}/").content.decode()


def test_page_shows_chinese_field_errors_and_saves_nothing(client_for):
    client = client_for("county_411402")
    bad = {
        "doc_type": "resident", "id_number": NUMBER[:17] + "0" if NUMBER[17] != "0" else "1",
        "name": "坏号码", "phone": "12345",
    }
    # The region picker refuses an unknown region before the service sees the form.
    response = client.post("/people/new/", {**bad, "household_region": "419999"})
    assert response.status_code == 400
    assert "household_region" in response.context["form"].errors
    response = client.post("/people/new/", {**bad, "household_region": "411402"})
    assert response.status_code == 400
    form = response.context["form"]
    assert {"id_number", "phone"} <= set(form.errors)
    assert "校验位" in form.errors["id_number"][0]
    assert not Person.objects.filter(name="坏号码").exists()


def test_target_group_pages(client_for):
    client = client_for("province_410000")
    assert "高校毕业生" in client.get("/people/target-groups/").content.decode()
    response = client.post("/people/target-groups/new/", {
        "code": "home_care", "name": "家政从业人员", "sort_order": 200, "is_active": "on"})
    assert response.status_code == 302
    assert client_for("inst_411402").get("/people/target-groups/new/").status_code == 403


def test_menu_entries(client_for):
    client = client_for("county_411402")
    assert "/people/" in client.get("/").content.decode()
    assert "/people/target-groups/" in client.get("/core/reference/").content.decode()


def test_link_a_login_through_the_api_and_the_edit_page(api_for, client_for, user_named):
    api = api_for("county_411402")
    pk = api.post("/api/v1/people", _payload(), content_type=JSON).json()["id"]
    zhang = Person.objects.get(user__username="worker_411402")
    busy = api.put(f"/api/v1/people/{pk}/login", {"username": "worker_411402"},
                   content_type=JSON)
    assert busy.status_code == 400 and "user" in busy.json()["errors"]
    unknown = api.put(f"/api/v1/people/{pk}/login", {"username": "county_411403"},
                      content_type=JSON)  # a login outside this officer's scope
    assert unknown.status_code == 400 and "不存在" in unknown.json()["message"]
    assert api.put(f"/api/v1/people/{zhang.pk}/login", {"username": ""},
                   content_type=JSON).json()["has_login"] is False
    client = client_for("county_411402")
    page = client.get(f"/people/{pk}/edit/")
    assert page.status_code == 200
    form = {k: v for k, v in page.context["form"].initial.items() if v not in (None, "")}
    form.update({"user": "worker_411402", "name": "赵六"})
    assert client.post(f"/people/{pk}/edit/", form).status_code == 302
    assert Person.objects.get(pk=pk).user == user_named("worker_411402")
    assert client_for("worker_411402").get("/people/me/").context["person"].pk == pk
