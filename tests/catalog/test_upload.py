"""A catalogue from a spreadsheet: export from the public page, edit, publish again; every bad
cell named by row and column, nothing written."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from jineng.catalog.models import CatalogueEntry, PolicyVersion
from jineng.catalog.services import resolve
from jineng.core.spreadsheets import xlsx_bytes
from tests.catalog.conftest import NEXT

pytestmark = pytest.mark.django_db
HEADERS = ["职业代码", "工种", "等级", "培训补贴标准（元）", "最低培训课时", "证书直补", "适用群体"]


def _post(client, content, name="目录.xlsx", **fields):
    data = {"region": "411402", "valid_from": f"{NEXT}-01-01", "is_sample": "on",
            "file": SimpleUploadedFile(name, content), **fields}
    return client.post("/catalog/catalogue/upload/", data)


def test_publish_from_xlsx_with_level_names_and_yuan(client_for, region):
    rows = [["4-10-01-05", "", "四级/中级工", 1500.5, 120, "是",
             "农村转移劳动力、脱贫劳动力（含监测帮扶对象）"],
            ["6-31-01-03", "维修电工", "中级", "1,600", "160", "否", ""],
            [None, None, None, None, None, None, None],
            ["4-09-08-01", "", "专项职业能力", 500, 40, "", "残疾人"]]
    response = _post(client_for("county_411402"), xlsx_bytes(HEADERS, rows))
    assert response.status_code == 302, response.content.decode()[:3000]
    version = resolve("training_subsidy", region("411402"), dt.date(NEXT, 6, 1)).version
    assert version.region.code == "411402" and version.is_sample
    got = {(e.occupation.code, e.level.code, e.work_type.name if e.work_type else ""):
           (e.subsidy_fen, e.min_hours, e.direct_subsidy, e.target_groups)
           for e in version.entries.select_related("occupation", "level", "work_type")}
    assert got == {
        ("4-10-01-05", "4", ""): (150050, 120, True, ["poverty_alleviated", "rural_migrant"]),
        ("6-31-01-03", "4", "维修电工"): (160000, 160, False, []),
        ("4-09-08-01", "special", ""): (50000, 40, False, ["disabled"]),
    }


def test_bad_cells_are_all_named_and_nothing_is_written(client_for):
    rows = [["4-10-01-05", "", "六级", 1500, 120, "是", ""],
            ["9-99-99-99", "", "初级", -1, 0.5, "也许", ""]]
    before = (PolicyVersion.objects.count(), CatalogueEntry.objects.count())
    response = _post(client_for("county_411402"), xlsx_bytes(HEADERS, rows))
    assert response.status_code == 400
    html = response.content.decode()
    assert response.context["form"].errors["file"] == [
        "第 2 行「等级」：等级「六级」不存在",
        "第 3 行「培训补贴标准（元）」：不能为负数",
        "第 3 行「最低培训课时」：应为不小于 1 的整数课时",
        "第 3 行「证书直补」：应填“是”或“否”",
        "第 3 行「职业代码」：9-99-99-99 不是现行职业分类大典中的职业",
    ]
    assert "第 3 行「职业代码」" in html
    assert (PolicyVersion.objects.count(), CatalogueEntry.objects.count()) == before


def test_missing_header_and_broken_file(client_for):
    client = client_for("county_411402")
    response = _post(client, xlsx_bytes(["姓名", "电话"], [["张三", "1"]]))
    assert response.status_code == 400 and "没有找到表头" in response.content.decode()
    response = _post(client, b"not a spreadsheet", name="x.xlsx")
    assert response.status_code == 400 and "不是有效的 Excel 文件" in response.content.decode()


def test_public_export_round_trips_as_a_revision(client_for, region):
    export = Client().get("/catalogue/?region=411400&date=2024-01-01&export=xlsx").content
    response = _post(client_for("city_411400"), export, region="411400", revise="on")
    assert response.status_code == 302, response.content.decode()[:3000]
    old = resolve("training_subsidy", region("411400"), dt.date(NEXT - 1, 12, 31)).version
    new = resolve("training_subsidy", region("411400"), dt.date(NEXT, 1, 1)).version
    assert new.supersedes_id == old.pk and new.entries.count() == old.entries.count() == 14
    assert set(new.entries.values_list("occupation__code", "level__code", "subsidy_fen")) == \
        set(old.entries.values_list("occupation__code", "level__code", "subsidy_fen"))


def test_csv_too_and_revise_needs_a_current_catalogue(client_for):
    content = "职业代码,等级,培训补贴标准（元）,最低培训课时\n4-10-01-06,初级,1000,64\n"
    response = _post(client_for("county_411402"), content.encode("gbk"), name="目录.csv",
                     revise="on")
    assert response.status_code == 400 and "没有本级的现行目录可修订" in response.content.decode()
    response = _post(client_for("county_411402"), content.encode("gbk"), name="目录.csv")
    assert response.status_code == 302


def test_a_county_cannot_upload_for_its_sibling(client_for):
    rows = [["4-10-01-05", "", "中级", 1500, 120, "是", ""]]
    response = _post(client_for("county_411402"), xlsx_bytes(HEADERS, rows), region="411403")
    assert response.status_code == 400
    assert not PolicyVersion.objects.filter(region__code="411403").exists()


def test_duplicate_rows_are_named_by_sheet_row(client_for):
    rows = [["4-10-01-05", "", "中级", 1500, 120, "是", ""],
            [None] * 7,
            ["4-10-01-05", "", "四级", 1400, 120, "是", ""]]
    response = _post(client_for("county_411402"), xlsx_bytes(HEADERS, rows))
    assert response.context["form"].errors["file"] == ["第 4 行与第 2 行的职业、工种、等级相同"]
