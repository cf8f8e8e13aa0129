"""API, officers' pages and the public catalogue: scope (a sibling county sees nothing, with
the same 404 as a missing record), resolution through the API, bad input as Chinese JSON."""

import datetime as dt
import io
import json

import pytest
from django.test import Client
from python_calamine import CalamineWorkbook

from jineng.catalog import services
from jineng.catalog.models import PolicyVersion, Programme
from tests.catalog.conftest import NEXT, eval_table

pytestmark = pytest.mark.django_db
D = dt.date
Y = NEXT


@pytest.fixture
def suiyang_version(user_named, region):
    return services.policy_version_publish(
        actor=user_named("county_411403"), kind="evaluation_subsidy", region=region("411403"),
        valid_from=D(Y, 1, 1), data=eval_table(22000), is_sample=True)


# ---------------------------------------------------------------- scope


def test_county_lists_own_and_above_but_not_sibling(api_for, suiyang_version):
    body = api_for("county_411402").get("/api/v1/policies?limit=200").json()
    regions = {item["region_code"] for item in body["items"]}
    assert "411403" not in regions and "411400" in regions
    assert "530000" not in regions
    city = api_for("city_411400").get("/api/v1/policies?region_code=411403").json()
    assert [item["id"] for item in city["items"]] == [suiyang_version.pk]


def test_sibling_version_is_the_same_404_as_a_missing_one(api_for, client_for, suiyang_version):
    api = api_for("county_411402")
    hidden = api.get(f"/api/v1/policies/{suiyang_version.pk}")
    missing = api.get("/api/v1/policies/99999999")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()
    revise = api.post(f"/api/v1/policies/{suiyang_version.pk}/revise",
                      content_type="application/json",
                      data={"valid_from": f"{Y + 1}-01-01", "data": eval_table(1),
                            "is_sample": True})
    assert revise.status_code == 404
    page = client_for("county_411402")
    assert page.get(f"/catalog/policies/{suiyang_version.pk}/").status_code == 404
    assert page.get(f"/catalog/policies/{suiyang_version.pk}/revise/").status_code == 404
    assert PolicyVersion.objects.filter(region__code="411403").count() == 1
    # The owner sees it.
    assert api_for("county_411403").get(f"/api/v1/policies/{suiyang_version.pk}").status_code \
        == 200


def test_resolve_for_a_sibling_region_is_404(api_for):
    api = api_for("county_411402")
    assert api.get("/api/v1/policies/resolve?kind=evaluation_subsidy&region=411403"
                   "&date=2023-01-01").status_code == 404
    assert api.get("/api/v1/policies/resolve?kind=evaluation_subsidy&region=411400"
                   "&date=2023-01-01").status_code == 200


def test_county_cannot_publish_for_sibling(api_for):
    response = api_for("county_411402").post(
        "/api/v1/policies", content_type="application/json",
        data={"kind": "evaluation_subsidy", "region_code": "411403", "valid_from": f"{Y}-01-01",
              "data": eval_table(1), "is_sample": True})
    assert response.status_code == 403
    assert "睢阳区" in response.json()["message"]


def test_budgets_and_programmes_are_scoped(api_for):
    county = api_for("county_411402")
    budgets = county.get("/api/v1/fund-budgets").json()["items"]
    assert {b["region_code"] for b in budgets} == {"411402"}
    programmes = county.get("/api/v1/programmes?limit=100").json()
    assert {p["region_code"] for p in programmes["items"]} == {"411400"}
    yunnan = Programme.objects.filter(region__code="530000").first()
    assert county.get(f"/api/v1/programmes/{yunnan.pk}").status_code == 404
    assert api_for("province_530000").get(f"/api/v1/programmes/{yunnan.pk}").status_code == 200


# ---------------------------------------------------------------- API


def test_resolve_api_says_version_and_document(api_for):
    body = api_for("inst_411402").get(
        "/api/v1/policies/resolve?kind=evaluation_subsidy&region=411402&date=2022-06-01").json()
    assert body["figures"]["amounts_fen"]["2"] == 35000
    assert body["inherited"] is True and body["region_code"] == "411402"
    assert body["version"]["region_code"] == "411400" and body["version"]["number"] == 1
    assert body["version"]["document"]["number"] == "商政办〔2022〕9号"
    assert "商政办〔2022〕9号" in body["source"] and "四(二)1" in body["source"]


def test_resolve_api_training_line_and_errors(api_for):
    api = api_for("county_411402")
    body = api.get("/api/v1/policies/resolve?kind=training_subsidy&region=411402"
                   "&date=2024-01-01&occupation=4-10-01-05&level=4").json()
    assert body["entry"]["subsidy_fen"] == 150000 and body["version"]["is_sample"]
    missing = api.get("/api/v1/policies/resolve?kind=hiring_subsidy&region=411402"
                      "&date=2020-01-01")
    assert missing.status_code == 404 and "没有生效" in missing.json()["message"]
    bad_kind = api.get("/api/v1/policies/resolve?kind=lottery&region=411402&date=2024-01-01")
    assert bad_kind.status_code == 400 and "不认识的政策类型" in bad_kind.json()["message"]
    bad_date = api.get("/api/v1/policies/resolve?kind=hiring_subsidy&region=411402&date=2024-13-01")
    assert bad_date.status_code == 422


def test_publish_and_revise_through_api(api_for):
    api = api_for("county_411402")
    payload = {"kind": "placement_subsidy", "region_code": "411402", "valid_from": f"{Y}-01-01",
               "data": {"amount_fen_per_person": -300, "min_employment_months": 6},
               "is_sample": True}
    bad = api.post("/api/v1/policies", content_type="application/json", data=payload)
    assert bad.status_code == 400
    assert bad.json()["errors"]["amount_fen_per_person"] == "每人补贴金额（分）：不能为负数"
    payload["data"]["amount_fen_per_person"] = 40000
    created = api.post("/api/v1/policies", content_type="application/json", data=payload)
    assert created.status_code == 201, created.json()
    again = api.post("/api/v1/policies", content_type="application/json", data=payload)
    assert again.status_code == 409 and "重叠" in again.json()["message"]
    revised = api.post(f"/api/v1/policies/{created.json()['id']}/revise",
                       content_type="application/json",
                       data={"valid_from": f"{Y + 1}-01-01", "is_sample": True,
                             "data": {"amount_fen_per_person": 45000,
                                      "min_employment_months": 6}})
    assert revised.status_code == 201 and revised.json()["number"] == 2
    old = api.get("/api/v1/policies/resolve?kind=placement_subsidy&region=411402"
                  f"&date={Y}-12-31").json()
    assert old["figures"]["amount_fen_per_person"] == 40000


def test_reference_lists(api_for):
    api = api_for("reviewer_411400")
    levels = api.get("/api/v1/skill-levels").json()
    assert [lv["code"] for lv in levels][:3] == ["special", "apprentice", "5"]
    occupations = api.get("/api/v1/occupations?q=养老护理").json()
    assert occupations["items"][0]["code"] == "4-10-01-05"
    assert api.get("/api/v1/occupations/6-12-02-00").json()["parent_code"] == "6-12-00-00"
    assert len(api.get("/api/v1/fund-sources").json()) >= 7
    assert len(api.get("/api/v1/evaluation-types").json()) == 3


# ---------------------------------------------------------------- pages


def test_in_force_page_shows_what_came_from_above(client_for):
    response = client_for("county_411402").get("/catalog/in-force/?date=2023-01-01")
    assert response.status_code == 200
    html = response.content.decode()
    assert "上级（商丘市）" in html and "商政办〔2022〕9号" in html


def test_officer_pages_render(client_for, suiyang_version):
    client = client_for("county_411403")
    for url in ["/catalog/policies/", "/catalog/occupations/?level=4", "/catalog/levels/",
                "/catalog/documents/", "/catalog/programmes/", "/catalog/budgets/",
                "/catalog/work-types/", "/catalog/policies/new/",
                f"/catalog/policies/{suiyang_version.pk}/",
                f"/catalog/policies/{suiyang_version.pk}/revise/"]:
        assert client.get(url).status_code == 200, url
    export = client.get("/catalog/policies/?export=xlsx")
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")


def test_publish_form_shows_chinese_errors_and_saves_nothing(client_for):
    client = client_for("county_411402")
    before = PolicyVersion.objects.count()
    response = client.post("/catalog/policies/new/", {
        "kind": "evaluation_subsidy", "region": "411402", "valid_from": f"{Y}-01-01",
        "is_sample": "on", "data": '{"amounts_fen": {"9": 100}}'})
    assert response.status_code == 400
    assert "等级「9」不存在" in response.content.decode()
    assert PolicyVersion.objects.count() == before
    response = client.post("/catalog/policies/new/", {
        "kind": "evaluation_subsidy", "region": "411402", "valid_from": f"{Y}-01-01",
        "is_sample": "on", "data": json.dumps(eval_table(100))})
    assert response.status_code == 302
    assert PolicyVersion.objects.count() == before + 1


def test_revise_page_prefills_and_creates_new_version(client_for):
    client = client_for("city_411400")
    version = PolicyVersion.objects.get(kind="hiring_subsidy", region__code="411400")
    page = client.get(f"/catalog/policies/{version.pk}/revise/")
    assert "200000000" in page.content.decode()
    response = client.post(f"/catalog/policies/{version.pk}/revise/", {
        "valid_from": f"{Y}-01-01", "document": version.document_id, "section": "四(三)1",
        "data": '{"amount_fen_per_person": 120000, "min_employment_months": 12}'})
    assert response.status_code == 302
    assert PolicyVersion.objects.filter(supersedes=version).exists()


# ---------------------------------------------------------------- public catalogue


def test_public_catalogue_needs_no_login_and_matches_the_api():
    anonymous = Client()
    page = anonymous.get("/catalogue/?region=411402&date=2024-01-01&q=养老")
    assert page.status_code == 200
    html = page.content.decode()
    assert "养老护理员" in html and "家政服务员" not in html and "示例数据" in html
    api = anonymous.get("/api/v1/catalogue?region=411402&date=2024-01-01&q=养老").json()
    assert {(i["occupation_code"], i["level"]) for i in api["items"]} == {
        ("4-10-01-05", "5"), ("4-10-01-05", "4")}
    assert api["items"][0]["subsidy_yuan"] in {"1200.00", "1500.00"}


def test_public_catalogue_export_and_unknown_region():
    anonymous = Client()
    export = anonymous.get("/catalogue/?region=532501&date=2024-01-01&export=xlsx")
    assert export.status_code == 200
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(export.content)).get_sheet_by_index(0)
    rows = sheet.to_python()
    assert rows[0][0] == "职业代码" and len(rows) == 15
    assert anonymous.get("/catalogue/?region=000000").status_code == 404
    assert anonymous.get("/api/v1/catalogue?region=000000").status_code == 404
    empty = anonymous.get("/api/v1/catalogue?region=520000&date=2024-01-01").json()
    assert empty["count"] == 0


def test_every_preset_version_page_renders_its_figures(client_for):
    client = client_for("sysadmin")  # catalog.view_* over all regions
    for version in PolicyVersion.objects.all():
        response = client.get(f"/catalog/policies/{version.pk}/")
        assert response.status_code == 200, version
        rows = dict(response.context["rows"])
        assert rows, version
    hiring = PolicyVersion.objects.get(kind="hiring_subsidy", region__code="411400")
    rows = dict(client.get(f"/catalog/policies/{hiring.pk}/").context["rows"])
    assert rows["每人补贴金额"] == "1,000.00 元"
    assert rows["每家企业上限"] == "2,000,000.00 元"
    prizes = PolicyVersion.objects.get(kind="competition_prize", region__code="530000")
    rows = dict(client.get(f"/catalog/policies/{prizes.pk}/").context["rows"])
    assert rows["世界技能大赛 · 金牌"] == "600,000.00 元"
