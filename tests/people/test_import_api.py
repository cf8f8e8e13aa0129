"""The command, the API, the pages and the data scope of imports."""

import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

import tests.people.test_import_kit as kit
from jineng.core.models import AuditEvent
from jineng.people.models import PersonImport
from tests.people.test_import_kit import (
    HEADERS,
    after_commit,
    person,
    person_row,
    read_report,
    write_xlsx,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(tmp_path):
    with override_settings(MEDIA_ROOT=str(tmp_path / "media")):
        yield


@pytest.fixture
def roster(tmp_path):
    rows = [HEADERS, person_row(201), person_row(203), person_row(205, 手机号="123")]
    return write_xlsx(tmp_path / "名单.xlsx", rows)


def test_command_prints_one_json_line_and_writes_the_report(roster, tmp_path):
    out, err = io.StringIO(), io.StringIO()
    report = tmp_path / "out.xlsx"
    call_command("import_people", roster, "--region", "411402", "--report", str(report),
                 stdout=out, stderr=err)
    lines = out.getvalue().strip().splitlines()
    assert len(lines) == 1
    counts = json.loads(lines[0])
    assert {k: counts[k] for k in ("rows", "created", "updated", "skipped", "rejected")} == {
        "rows": 3, "created": 2, "updated": 0, "skipped": 0, "rejected": 1}
    assert err.getvalue() == ""  # no progress bar when stderr is not a terminal
    assert read_report(report)[1][-2].startswith("第 4 行 手机号：")
    imp = PersonImport.objects.get(pk=counts["import_id"])
    assert (imp.status, imp.created, imp.rejected) == ("done", 2, 1)
    event = AuditEvent.objects.filter(action="import", object_id=str(imp.pk)).get()
    assert event.changes["created"] == 2 and event.changes["rejected"] == 1


def test_command_strict_update_and_rerun(roster):
    out = io.StringIO()
    call_command("import_people", roster, "--region", "411402", "--mode", "strict", stdout=out)
    assert json.loads(out.getvalue())["created"] == 0  # strict: the bad row stops everything
    assert person(201) is None
    out = io.StringIO()
    call_command("import_people", roster, "--region", "411402", "--on-duplicate", "update",
                 stdout=out)
    out2 = io.StringIO()
    call_command("import_people", roster, "--region", "411402", "--on-duplicate", "update",
                 stdout=out2)
    second = json.loads(out2.getvalue())
    assert (second["created"], second["updated"], second["skipped"]) == (0, 0, 2)


def test_command_exit_status_when_it_cannot_run(roster, tmp_path):
    with pytest.raises(CommandError, match="区划代码 999999 不存在") as exc:
        call_command("import_people", roster, "--region", "999999")
    assert exc.value.returncode == 2
    with pytest.raises(CommandError, match="文件不存在") as exc:
        call_command("import_people", str(tmp_path / "none.xlsx"), "--region", "411402")
    assert exc.value.returncode == 2
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(CommandError, match="无法读取 Excel 文件") as exc:
        call_command("import_people", str(broken), "--region", "411402")
    assert exc.value.returncode == 2
    headerless = kit.write_csv(tmp_path / "x.csv", [["a", "b"], ["1", "2"]])
    with pytest.raises(CommandError, match="没有找到表头") as exc:
        call_command("import_people", headerless, "--region", "411402")
    assert exc.value.returncode == 2


def test_api_start_poll_and_report(api_for, roster):
    api = api_for("county_411402")
    with open(roster, "rb") as f, after_commit():
        response = api.post("/api/v1/people/imports", {
            "file": f, "region_code": "411402", "mode": "partial", "on_duplicate": "skip"})
    assert response.status_code == 202, response.content
    body = response.json()
    assert body["file_name"] == "名单.xlsx"
    poll = api.get(f"/api/v1/people/imports/{body['id']}").json()
    assert (poll["status"], poll["rows_done"], poll["created"], poll["rejected"]) == (
        "done", 3, 2, 1)
    assert poll["rows_per_second"] > 0 and poll["has_report"]
    report = api.get(f"/api/v1/people/imports/{body['id']}/report")
    assert report.status_code == 200
    rows = read_report(io.BytesIO(b"".join(report.streaming_content)))
    assert rows[1][-2].startswith("第 4 行 手机号：")
    listed = api.get("/api/v1/people/imports").json()
    assert body["id"] in [i["id"] for i in listed["items"]]


def test_api_refuses_bad_input(api_for, roster, tmp_path):
    api = api_for("county_411402")
    with open(roster, "rb") as f:
        r = api.post("/api/v1/people/imports", {"file": f, "region_code": "411402",
                                                 "mode": "all"})
    assert r.status_code == 400 and "mode" in r.json()["errors"]
    txt = tmp_path / "a.txt"
    txt.write_text("x")
    with open(txt, "rb") as f:
        r = api.post("/api/v1/people/imports", {"file": f, "region_code": "411402"})
    assert r.status_code == 400 and "只能导入" in r.json()["message"]
    with open(roster, "rb") as f:  # a county officer cannot import into the other county
        r = api.post("/api/v1/people/imports", {"file": f, "region_code": "411403"})
    assert r.status_code == 403 and "不在您的管理范围内" in r.json()["message"]


def test_a_county_cannot_see_another_countys_import(api_for, client_for, roster):
    with open(roster, "rb") as f:
        theirs = api_for("county_411403").post(
            "/api/v1/people/imports", {"file": f, "region_code": "411403"}).json()["id"]
    ours = api_for("county_411402")
    assert ours.get(f"/api/v1/people/imports/{theirs}").status_code == 404
    assert ours.get(f"/api/v1/people/imports/{theirs}/report").status_code == 404
    assert theirs not in [i["id"] for i in ours.get("/api/v1/people/imports").json()["items"]]
    page = client_for("county_411402")
    assert page.get(f"/people/imports/{theirs}/").status_code == 404
    assert page.get(f"/people/imports/{theirs}/report.xlsx").status_code == 404
    listing = page.get("/people/imports/")
    assert listing.status_code == 200
    assert theirs not in [imp.pk for imp, _ in listing.context["rows"]]
    city = api_for("city_411400").get("/api/v1/people/imports").json()
    assert theirs in [i["id"] for i in city["items"]]


def test_pages_upload_progress_report_and_template(client_for, roster):
    page = client_for("county_411402")
    assert page.get("/people/imports/new/").status_code == 200
    with open(roster, "rb") as f, after_commit():
        r = page.post("/people/imports/new/", {"file": f, "region": "411402",
                                               "mode": "partial", "on_duplicate": "skip"})
    assert r.status_code == 302
    detail = page.get(r["Location"])
    assert detail.status_code == 200
    assert "已完成" in detail.content.decode()
    partial = page.get(r["Location"], headers={"HX-Request": "true"})
    assert partial.content.decode().lstrip().startswith("<section id=\"import-progress\"")
    pk = int(r["Location"].rstrip("/").split("/")[-1])
    report = page.get(f"/people/imports/{pk}/report.xlsx")
    assert report.status_code == 200
    template = page.get("/people/imports/template.xlsx")
    assert template.status_code == 200
    assert read_report(io.BytesIO(template.content))[0][:3] == ["姓名", "证件类型", "身份证号"]


def test_running_import_shows_rate_and_eta(client_for):
    import datetime as dt

    from django.utils import timezone

    from jineng.orgs.models import Region, User
    from jineng.people.importing.service import person_import_progress

    imp = PersonImport.objects.create(
        region=Region.objects.get(code="411402"), file_name="a.xlsx", file_path="x",
        created_by=User.objects.get(username="county_411402"), status="running",
        started_at=timezone.now() - dt.timedelta(seconds=10), rows_done=5000, total_rows=20000)
    p = person_import_progress(imp)
    assert 450 <= p["rows_per_second"] <= 500
    assert 29 <= p["eta_seconds"] <= 31 and p["percent"] == 25
    html = client_for("county_411402").get(f"/people/imports/{imp.pk}/",
                                           headers={"HX-Request": "true"}).content.decode()
    assert "hx-trigger=\"every 2s\"" in html and "已处理 5000 行" in html
