"""Programmes through pages and the API, the retroactivity rule, the edition import command,
and query counts that stay fixed however many rows a list has."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from jineng.catalog import services
from jineng.catalog.models import Occupation, PolicyDocument, PolicyVersion, Programme
from jineng.core.errors import ServiceError
from jineng.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_revision_may_not_reach_into_the_past(user_named, region):
    version = PolicyVersion.objects.get(kind="hiring_subsidy", region__code="411400")
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    before = PolicyVersion.objects.count()
    with pytest.raises(ServiceError) as exc:
        services.policy_version_revise(actor=user_named("city_411400"), version=version,
                                       valid_from=yesterday, data=version.data,
                                       document=version.document)
    assert "不能追溯生效" in exc.value.errors["valid_from"]
    version.refresh_from_db()
    assert version.valid_to is None and PolicyVersion.objects.count() == before


def test_programme_api_create_patch_and_audit(api_for):
    api = api_for("county_411402")
    payload = {"region_code": "411402", "code": "LY-2030-01", "name": "梁园区冷链物流技能提升计划",
               "kind": "plan", "period_start": "2030-01-01", "period_end": "2030-12-31",
               "target_groups": ["农村转移劳动力"], "occupation_codes": ["4-02-06-03"],
               "fund_source_codes": ["employment_subsidy"]}
    created = api.post("/api/v1/programmes", content_type="application/json", data=payload)
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["occupations"] == ["4-02-06-03"] and body["fund_sources"] == ["employment_subsidy"]
    again = api.post("/api/v1/programmes", content_type="application/json", data=payload)
    assert again.status_code == 400 and "已有编号" in again.json()["errors"]["code"]
    bad = api.patch(f"/api/v1/programmes/{body['id']}", content_type="application/json",
                    data={"period_end": "2029-01-01"})
    assert bad.status_code == 400 and "结束日期不能早于开始日期" in bad.json()["message"]
    patched = api.patch(f"/api/v1/programmes/{body['id']}", content_type="application/json",
                        data={"name": "梁园区冷链物流与仓储技能提升计划"})
    assert patched.status_code == 200 and patched.json()["period_end"] == "2030-12-31"
    actions = list(AuditEvent.objects.filter(object_type="catalog.programme",
                                             object_id=str(body["id"]))
                   .order_by("id").values_list("action", flat=True))
    assert actions == ["create", "update"]
    # A sibling county sees neither, and may not change it.
    sibling = api_for("county_411403")
    assert sibling.get(f"/api/v1/programmes/{body['id']}").status_code == 404
    assert sibling.patch(f"/api/v1/programmes/{body['id']}", content_type="application/json",
                         data={"name": "x"}).status_code == 404


def test_county_may_read_but_not_edit_the_city_plan(client_for, api_for):
    plan = Programme.objects.get(region__code="411400", code="SQ-2022-05")
    county = client_for("county_411402")
    assert county.get(f"/catalog/programmes/{plan.pk}/").status_code == 200
    assert county.get(f"/catalog/programmes/{plan.pk}/edit/").status_code == 404
    response = api_for("county_411402").patch(f"/api/v1/programmes/{plan.pk}",
                                              content_type="application/json",
                                              data={"name": "x"})
    assert response.status_code == 403


def test_programme_edit_page(client_for):
    plan = Programme.objects.get(region__code="411400", code="SQ-2022-05")
    city = client_for("city_411400")
    page = city.get(f"/catalog/programmes/{plan.pk}/edit/")
    assert page.status_code == 200 and "4-10-01-05" in page.content.decode()
    form = page.context["form"]
    data = {name: form[name].value() or "" for name in form.fields}
    data["fund_sources"] = [s.pk for s in plan.fund_sources.all()]
    data["target_groups"] = form["target_groups"].value()  # checkboxes: none ticked
    data["occupation_codes"] += ", 4-10-01-03"
    response = city.post(f"/catalog/programmes/{plan.pk}/edit/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert plan.occupations.filter(code="4-10-01-03").exists()
    data["occupation_codes"] = "9-99-99-99"
    response = city.post(f"/catalog/programmes/{plan.pk}/edit/", data)
    assert response.status_code == 400 and "职业代码 9-99-99-99 不存在" in response.content.decode()


def test_sibling_documents_are_invisible(api_for, user_named, region):
    doc = services.policy_document_create(
        actor=user_named("county_411403"), region=region("411403"), issuer="睢阳区人社局",
        title="睢阳区职业技能培训补贴实施细则（测试）")
    listed = api_for("county_411402").get("/api/v1/policy-documents?limit=100").json()
    assert doc.pk not in {d["id"] for d in listed["items"]}
    assert "商政办〔2022〕9号" in {d["number"] for d in listed["items"]}  # from above
    assert PolicyDocument.objects.filter(pk=doc.pk).exists()


def test_import_occupations_command(tmp_path):
    csv_file = tmp_path / "occ.csv"
    csv_file.write_text("code,level,name,mark\n6-00-00-00,1,生产制造及有关人员,\n"
                        "6-31-00-00,2,生产辅助人员,\n6-31-01-00,3,机械设备修理人员,\n"
                        "6-31-01-03,4,电工,L\n", encoding="utf-8")
    out = io.StringIO()
    call_command("import_occupations", str(csv_file), edition="2030", stdout=out)
    assert "新增 4 条" in out.getvalue()
    electrician = services.occupation_current("6-31-01-03")
    assert electrician.edition == "2030" and electrician.is_green
    assert Occupation.objects.get(edition="2022", code="6-31-01-03").successor == electrician


# ---------------------------------------------------------------- query counts

API_LISTS = ["/api/v1/policies?limit=50", "/api/v1/programmes?limit=50",
             "/api/v1/occupations?limit=50", "/api/v1/policy-documents?limit=50",
             "/api/v1/fund-budgets?limit=50"]


@pytest.mark.parametrize("url", API_LISTS)
def test_api_list_query_count_is_fixed(url, api_for, django_assert_max_num_queries):
    api = api_for("province_410000")
    api.get(url)  # warm the token and role caches
    with django_assert_max_num_queries(10):
        assert api.get(url).status_code == 200


def test_public_catalogue_query_count_is_fixed(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(5):
        assert client.get("/api/v1/catalogue?region=411402&date=2024-01-01&limit=100") \
            .status_code == 200
    with django_assert_max_num_queries(7):
        assert client.get("/catalogue/?region=411402&date=2024-01-01").status_code == 200
