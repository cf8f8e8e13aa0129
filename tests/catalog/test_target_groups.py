"""Target groups are codes of one table (orgs.TargetGroup) on people, programmes and catalogue
lines alike: typed as a code or a name, refused when no active group has it, shown by name."""

import datetime as dt
import importlib

import pytest
from django.apps import apps as django_apps
from django.core.files.uploadedfile import SimpleUploadedFile

from jineng.catalog import services
from jineng.catalog.models import CatalogueEntry, PolicyVersion, Programme
from jineng.core.errors import ServiceError
from jineng.core.identity import make_resident_number
from jineng.core.spreadsheets import xlsx_bytes
from jineng.orgs.models import TargetGroup
from jineng.people import services as people_services
from tests.catalog.conftest import NEXT

pytestmark = pytest.mark.django_db

LINE = {"occupation_code": "6-31-01-03", "level": "4", "amount_fen": 160000, "min_hours": 160}


def _programme(user, region, **kw):
    fields = {"code": "LY-T-01", "name": "梁园区重点群体测试计划", "kind": "plan",
              "period_start": dt.date(NEXT, 1, 1), **kw}
    return services.programme_create(actor=user, region=region, **fields)


def _catalogue(user, region, lines):
    return services.policy_version_publish(
        actor=user, kind="training_subsidy", region=region, valid_from=dt.date(NEXT, 1, 1),
        data={"entries": lines}, is_sample=True)


# ---------------------------------------------------------------- stored as codes, refused


def test_a_programme_with_an_unknown_target_group_is_refused(user_named, region):
    before = Programme.objects.count()
    with pytest.raises(ServiceError) as exc:
        _programme(user_named("county_411402"), region("411402"),
                   target_groups=["高校毕业生", "外星来客"])
    assert exc.value.errors["target_groups"] == "未知或已停用的重点群体：外星来客"
    assert "外星来客" in exc.value.message
    assert Programme.objects.count() == before


def test_the_api_refuses_an_unknown_group_naming_it(api_for):
    payload = {"region_code": "411402", "code": "LY-T-02", "name": "梁园区测试计划",
               "kind": "plan", "period_start": f"{NEXT}-01-01", "target_groups": ["veteranz"]}
    response = api_for("county_411402").post("/api/v1/programmes",
                                             content_type="application/json", data=payload)
    assert response.status_code == 400
    assert "veteranz" in response.json()["errors"]["target_groups"]


def test_a_catalogue_line_with_an_unknown_group_is_refused(user_named, region):
    before = (PolicyVersion.objects.count(), CatalogueEntry.objects.count())
    with pytest.raises(ServiceError) as exc:
        _catalogue(user_named("county_411402"), region("411402"),
                   [{**LINE, "target_groups": ["企业职工"]},
                    {**LINE, "level": "3", "target_groups": ["veteran", "无此群体"]}])
    assert exc.value.errors == {
        "entries.1.target_groups": "第 2 行：未知或已停用的重点群体：无此群体"}
    assert (PolicyVersion.objects.count(), CatalogueEntry.objects.count()) == before


def test_an_uploaded_catalogue_names_the_row_of_an_unknown_group(client_for):
    headers = ["职业代码", "工种", "等级", "培训补贴标准（元）", "最低培训课时", "证书直补",
               "适用群体"]
    rows = [["4-10-01-05", "", "初级", 1200, 80, "是", "农村转移劳动力"],
            ["4-10-01-06", "", "初级", 1000, 64, "是", "农村转移劳动力、留守儿童家长"]]
    response = client_for("county_411402").post("/catalog/catalogue/upload/", {
        "region": "411402", "valid_from": f"{NEXT}-01-01", "is_sample": "on",
        "file": SimpleUploadedFile("目录.xlsx", xlsx_bytes(headers, rows))})
    assert response.status_code == 400
    assert response.context["form"].errors["file"] == [
        "第 3 行「适用群体」：未知或已停用的重点群体：留守儿童家长"]


def test_a_person_and_a_programme_compare_equal_by_code(user_named, region, client_for):
    officer = user_named("county_411402")
    person = people_services.person_create(
        actor=officer, id_number=make_resident_number("411402", dt.date(1990, 1, 2), 11),
        name="王五", household_region="411402", target_groups=["高校毕业生"])
    programme = _programme(officer, region("411402"),
                           target_groups=["ＧＲＡＤＵＡＴＥ", "退役军人"])  # full-width code
    version = _catalogue(officer, region("411402"),
                         [{**LINE, "target_groups": ["graduate", "企业职工"]}])
    entry = version.entries.get()
    assert programme.target_groups == ["graduate", "veteran"]
    assert entry.target_groups == ["enterprise_employee", "graduate"]
    assert version.data["entries"][0]["target_groups"] == ["enterprise_employee", "graduate"]
    assert set(person.target_groups) & set(programme.target_groups) & set(entry.target_groups) \
        == {"graduate"}
    # Renaming the group changes no record: they carry the code.
    group = TargetGroup.objects.get(code="graduate")
    people_services.target_group_update(actor=user_named("province_410000"), target_group=group,
                                        name="普通高校毕业生")
    programme.refresh_from_db()
    assert programme.target_groups == ["graduate", "veteran"]
    page = client_for("county_411402").get(f"/catalog/programmes/{programme.pk}/")
    assert "普通高校毕业生、退役军人" in page.content.decode()
    assert "graduate" not in page.content.decode()


def test_a_switched_off_group_stays_on_a_programme_but_cannot_be_added(user_named, region):
    officer = user_named("county_411402")
    programme = _programme(officer, region("411402"), target_groups=["rural_woman"])
    TargetGroup.objects.filter(code="rural_woman").update(is_active=False)
    services.programme_update(actor=officer, programme=programme, name="梁园区测试计划（修订）")
    programme.refresh_from_db()
    assert programme.target_groups == ["rural_woman"]
    with pytest.raises(ServiceError) as exc:
        _programme(officer, region("411402"), code="LY-T-03", target_groups=["农村妇女"])
    assert exc.value.errors["target_groups"] == "未知或已停用的重点群体：农村妇女"


# ---------------------------------------------------------------- shown by name


def test_programme_and_catalogue_pages_show_names_not_codes(client_for):
    client = client_for("city_411400")
    plan = Programme.objects.get(region__code="411400", code="SQ-2022-12")
    assert plan.target_groups == ["community_corrections", "inmate_rehab"]
    page = client.get(f"/catalog/programmes/{plan.pk}/").content.decode()
    assert "服刑/戒毒人员、社区矫正人员" in page and "inmate_rehab" not in page
    edit = client.get(f"/catalog/programmes/{plan.pk}/edit/")
    assert edit.context["form"]["target_groups"].value() == plan.target_groups
    assert "社区矫正人员" in edit.content.decode()
    version = PolicyVersion.objects.get(kind="training_subsidy", region__code="411400")
    page = client.get(f"/catalog/policies/{version.pk}/").content.decode()
    assert "农村转移劳动力、脱贫劳动力（含监测帮扶对象）" in page
    assert "rural_migrant" not in page and "poverty_alleviated" not in page
    public = client.get("/catalogue/?region=411402").content.decode()
    assert "就业困难人员、残疾人" in public and "employment_difficulty" not in public


def test_the_api_gives_codes_and_names(api_for):
    api = api_for("city_411400")
    items = api.get("/api/v1/programmes?limit=100").json()["items"]
    plan = next(p for p in items if p["code"] == "SQ-2022-04")
    assert plan["target_groups"] == ["poverty_alleviated"]
    assert plan["target_group_names"] == ["脱贫劳动力（含监测帮扶对象）"]
    lines = api.get("/api/v1/catalogue?region=411402&limit=100").json()["items"]
    line = next(e for e in lines if e["occupation_code"] == "4-09-08-01")
    assert line["target_groups"] == ["disabled", "employment_difficulty"]
    assert line["target_group_names"] == ["就业困难人员", "残疾人"]


# ---------------------------------------------------------------- the migrations


def _migration(app, name):
    return importlib.import_module(f"jineng.{app}.migrations.{name}")


def test_the_data_migration_turns_names_into_codes_and_keeps_every_group(user_named, region):
    programme = _programme(user_named("county_411402"), region("411402"))
    version = _catalogue(user_named("county_411402"), region("411402"), [LINE])
    entry = version.entries.get()
    TargetGroup.objects.filter(code="high_quality_farmer").delete()
    # As the catalog stored them before: names as typed, presets' old spellings included.
    Programme.objects.filter(pk=programme.pk).update(
        target_groups=["高校毕业生", "下岗失业人员", "高素质农民", "留守妇女"])
    CatalogueEntry.objects.filter(pk=entry.pk).update(target_groups=["脱贫劳动力", "退役军人"])
    data = version.data
    data["entries"][0]["target_groups"] = ["在校学生"]
    PolicyVersion.objects.filter(pk=version.pk).update(data=data)

    _migration("catalog", "0003_target_groups_as_codes").names_to_codes(django_apps, None)

    programme.refresh_from_db()
    entry.refresh_from_db()
    version.refresh_from_db()
    created = TargetGroup.objects.get(name="留守妇女")
    assert created.code.startswith("group_") and not created.builtin
    assert TargetGroup.objects.get(code="high_quality_farmer").name == "高素质农民"
    assert programme.target_groups == sorted(["graduate", "unemployed", "high_quality_farmer",
                                              created.code])
    assert entry.target_groups == ["poverty_alleviated", "veteran"]
    assert version.data["entries"][0]["target_groups"] == ["student"]


def test_roles_keep_what_they_could_do_with_target_groups():
    renamed = _migration("orgs", "0003_target_groups")._renamed
    assert renamed(["people.*", "!people.change_targetgroup"], "people", "orgs") == [
        "people.*", "!people.change_targetgroup", "orgs.view_targetgroup",
        "orgs.add_targetgroup", "orgs.change_targetgroup", "orgs.delete_targetgroup",
        "orgs.export_targetgroup", "!orgs.change_targetgroup"]
    assert renamed(["people.view_person"], "people", "orgs") == ["people.view_person"]
    assert renamed(["*"], "people", "orgs") == ["*"]


def test_a_person_takes_a_group_by_its_name_as_written(user_named):
    """The name as stored holds full-width brackets; typing it must find the group."""
    person = people_services.person_create(
        actor=user_named("county_411402"), name="赵六", household_region="411402",
        id_number=make_resident_number("411402", dt.date(1988, 3, 4), 21),
        target_groups=["脱贫劳动力（含监测帮扶对象）", "ｖｅｔｅｒａｎ"])
    assert person.target_groups == ["poverty_alleviated", "veteran"]
