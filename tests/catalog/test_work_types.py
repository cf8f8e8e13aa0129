"""工种 are the province's to maintain: a province officer adds, renames and retires one under an
occupation, on pages and through the API; a county officer and a worker are refused; every
change is audited; a duplicate name under one occupation is refused in Chinese."""

import datetime as dt
import re

import pytest

from jineng.catalog import services
from jineng.catalog.models import CatalogueEntry, WorkType
from jineng.core.errors import ServiceError
from jineng.core.models import AuditEvent
from jineng.orgs.models import Region
from tests.catalog.conftest import NEXT
from tests.orgs.test_browser import (  # noqa: F401  (fixtures)
    browser,
    database_snapshot,
    sign_in,
    site,
)

pytestmark = pytest.mark.django_db
WELDER = "6-18-02-04"


def _create(api, name="气焊工", code=WELDER):
    return api.post(f"/api/v1/occupations/{code}/work-types", {"name": name},
                    content_type="application/json")


def _patch(api, pk, **fields):
    return api.patch(f"/api/v1/work-types/{pk}", fields, content_type="application/json")


def test_a_province_officer_adds_renames_and_retires_through_the_api(api_for):
    api = api_for("province_410000")
    created = _create(api)
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert created.json() == {"id": pk, "occupation_code": WELDER, "occupation_name": "焊工",
                              "name": "气焊工", "is_active": True}
    renamed = _patch(api, pk, name="钎焊工")
    assert renamed.status_code == 200 and renamed.json()["name"] == "钎焊工"
    retired = _patch(api, pk, is_active=False)
    assert retired.json()["is_active"] is False
    listed = api.get(f"/api/v1/occupations/{WELDER}/work-types").json()
    assert {"name": "钎焊工", "is_active": False} in [
        {k: w[k] for k in ("name", "is_active")} for w in listed]
    events = AuditEvent.objects.filter(object_type="catalog.worktype", object_id=str(pk))
    assert [(e.action, e.changes) for e in events.order_by("id")] == [
        ("create", {"occupation": [None, WorkType.objects.get(pk=pk).occupation_id],
                    "name": [None, "气焊工"], "is_active": [None, True]}),
        ("update", {"name": ["气焊工", "钎焊工"]}),
        ("update", {"is_active": [True, False]}),
    ]


@pytest.mark.parametrize("username", ["county_411402", "city_411400", "worker_411402"])
def test_a_county_officer_or_a_worker_is_refused(api_for, user_named, username):
    mine = services.work_type_create(actor=user_named("province_410000"),
                                     occupation=services.occupation_current(WELDER), name="气焊工")
    api = api_for(username)
    refused_create = _create(api, name="钎焊工")
    refused_edit = _patch(api, mine.pk, name="改名")
    refused_retire = _patch(api, mine.pk, is_active=False)
    assert refused_create.status_code == 403
    assert refused_create.json()["message"] == (
        "您的角色不能新增工种：工种是全省共用的参考数据，由省级经办人员维护")
    if username == "worker_411402":
        # a worker cannot read the reference lists at all: the 工种 is as missing to them
        assert {refused_edit.status_code, refused_retire.status_code} == {404}
    else:
        assert {refused_edit.status_code, refused_retire.status_code} == {403}
        edit_message = refused_edit.json()["message"]
        assert edit_message.replace("修改", "新增") == refused_create.json()["message"]
    mine.refresh_from_db()
    assert (mine.name, mine.is_active) == ("气焊工", True)
    assert not WorkType.objects.filter(name="钎焊工").exists()


def test_a_duplicate_name_under_one_occupation_is_refused_in_chinese(api_for):
    api = api_for("province_410000")
    first, other = _create(api, "气焊工").json(), _create(api, "钎焊工").json()
    again = _create(api, " 气焊工 ")
    assert again.status_code == 409
    assert again.json()["errors"]["name"] == "职业「焊工」下已有工种「气焊工」"
    clash = _patch(api, other["id"], name="气焊工")
    assert clash.status_code == 409 and "已有工种「气焊工」" in clash.json()["message"]
    empty = _patch(api, first["id"], name="  ")
    assert empty.status_code == 400 and empty.json()["errors"]["name"] == "工种名称不能为空"
    # The same name under another occupation is another 工种.
    assert _create(api, "气焊工", code="6-31-01-03").status_code == 201


def test_a_retired_work_type_is_kept_by_old_catalogues_and_refused_in_new_ones(user_named):
    province = user_named("province_410000")
    electrician = WorkType.objects.get(occupation__code="6-31-01-03", name="维修电工")
    in_use = CatalogueEntry.objects.filter(work_type=electrician).count()
    services.work_type_update(actor=province, work_type=electrician, is_active=False)
    assert CatalogueEntry.objects.filter(work_type=electrician).count() == in_use > 0
    line = {"occupation_code": "6-31-01-03", "work_type": "维修电工", "level": "4",
            "amount_fen": 160000, "min_hours": 160}
    with pytest.raises(ServiceError) as refused:
        services.policy_version_publish(
            actor=province, kind="training_subsidy", region=Region.objects.get(code="410000"),
            valid_from=dt.date(NEXT, 1, 1), data={"entries": [line]}, is_sample=True)
    assert "工种已停用" in refused.value.message and "电工（维修电工）" in refused.value.message


def test_page_flow_add_edit_retire(client_for):
    client = client_for("province_410000")
    listing = client.get("/catalog/work-types/", {"occupation_code": WELDER})
    assert "/catalog/work-types/new/" in listing.content.decode()
    added = client.post("/catalog/work-types/new/", {"occupation_code": WELDER,
                                                      "name": "气焊工"})
    assert added.status_code == 302
    work_type = WorkType.objects.get(occupation__code=WELDER, name="气焊工")
    edit_url = f"/catalog/work-types/{work_type.pk}/edit/"
    listing = client.get(added["Location"]).content.decode()
    assert "气焊工" in listing and edit_url in listing
    form = client.get(edit_url).content.decode()
    assert "焊工" in form and 'value="气焊工"' in form
    duplicate = client.post("/catalog/work-types/new/", {"occupation_code": WELDER,
                                                          "name": "气焊工"})
    assert "职业「焊工」下已有工种「气焊工」" in duplicate.content.decode()
    retired = client.post(edit_url, {"name": "气焊工"})  # 启用 unticked
    assert retired.status_code == 302
    listing = client.get(retired["Location"]).content.decode()
    work_type.refresh_from_db()
    assert work_type.is_active is False and "已停用" in listing
    retired_only = client.get("/catalog/work-types/", {"status": "retired"}).content.decode()
    active_only = client.get("/catalog/work-types/", {"status": "active"}).content.decode()
    assert "气焊工" in retired_only and "维修电工" not in retired_only
    assert "维修电工" in active_only and "气焊工" not in active_only


def test_the_pages_refuse_a_county_officer(client_for, user_named):
    work_type = WorkType.objects.get(occupation__code="6-31-01-03", name="维修电工")
    county = client_for("county_411402")
    listing = county.get("/catalog/work-types/").content.decode()
    assert "维修电工" in listing and f"/catalog/work-types/{work_type.pk}/edit/" not in listing
    assert county.get("/catalog/work-types/new/").status_code == 403
    assert county.get(f"/catalog/work-types/{work_type.pk}/edit/").status_code == 403
    refused = county.post(f"/catalog/work-types/{work_type.pk}/edit/", {"name": "改名"})
    assert refused.status_code == 403
    work_type.refresh_from_db()
    assert (work_type.name, work_type.is_active) == ("维修电工", True)


def test_the_public_catalogue_shows_the_work_types_of_the_demo():
    from django.test import Client

    html = Client().get("/catalogue/", {"region": "梁园区", "date": "2024-01-01",
                                        "q": "电工"}).content.decode()
    assert re.search(r"<td[^>]*>电工</td>\s*<td[^>]*>维修电工</td>", html)
    api = Client().get("/api/v1/catalogue?region=411402&date=2024-01-01&q=焊工").json()
    assert {i["work_type"] for i in api["items"]} == {"电焊工"}


def _catalogue_naming(actor, work_type: str, region_code: str):
    line = {"occupation_code": WELDER, "work_type": work_type, "level": "4",
            "amount_fen": 150000, "min_hours": 120}
    return services.policy_version_publish(
        actor=actor, kind="training_subsidy", region=Region.objects.get(code=region_code),
        valid_from=dt.date(NEXT, 1, 1), data={"entries": [line]}, is_sample=True)


def test_a_county_catalogue_cannot_bring_in_a_new_work_type(user_named):
    with pytest.raises(ServiceError) as refused:
        _catalogue_naming(user_named("county_411402"), "水下焊工", "411402")
    assert refused.value.errors["work_type"].startswith("工种不存在：焊工（水下焊工）")
    assert not WorkType.objects.filter(name="水下焊工").exists()
    # A 工种 the province keeps is named freely; the province may bring in a new one.
    assert _catalogue_naming(user_named("county_411402"), "电焊工", "411402").entries.count() == 1
    _catalogue_naming(user_named("province_410000"), "水下焊工", "410000")
    assert WorkType.objects.filter(name="水下焊工", occupation__code=WELDER).exists()


@pytest.mark.parametrize("typed, words", [("电工", None), ("6-31-01-03", None),
                                          ("甘油制造工", "名为「甘油制造工」的职业不止一个"),
                                          ("电焊", "职业「电焊」不存在"),
                                          ("9-99-99-99", "职业代码 9-99-99-99 不存在")])
def test_the_add_page_takes_an_occupation_by_name_or_code(client_for, typed, words):
    response = client_for("province_410000").post("/catalog/work-types/new/", {
        "occupation_code": typed, "name": "高压电工"})
    if words is None:
        assert response.status_code == 302
        assert WorkType.objects.filter(occupation__code="6-31-01-03", name="高压电工").exists()
    else:
        assert words in response.content.decode()
        assert not WorkType.objects.filter(name="高压电工").exists()


@pytest.mark.browser
def test_a_province_officer_adds_and_retires_one_in_a_browser(browser, site,  # noqa: F811
                                                              demo_password):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    sign_in(page, site, "province_410000", demo_password)
    page.goto(f"{site}/catalog/work-types/")
    page.get_by_role("link", name="新增").click()
    page.fill("#id_occupation_code", "焊工")
    page.fill("#id_name", "气焊工")
    page.get_by_role("button", name="保存").click()
    page.get_by_test_id("list").get_by_role("link", name="气焊工").click()
    page.uncheck("#id_is_active")
    page.get_by_role("button", name="保存").click()
    row = page.get_by_test_id("list").get_by_role("row", name="气焊工")
    assert "已停用" in row.inner_text()
    context.close()
