"""Imports keep to the importer's data scope: rows are written only where the importer may
register people (the same rule as POST /api/v1/people), an update never moves a person out of
it, and a number already registered outside it is reported without any personal data."""

import datetime as dt
import io

import pytest
from django.test import override_settings

import tests.people.test_import_kit as kit
from jineng.core.identity import make_resident_number
from jineng.core.models import AuditEvent
from jineng.people import services
from jineng.people.models import Person, PersonImport
from tests.people.test_import_kit import (
    HEADERS,
    after_commit,
    person,
    person_row,
    read_report,
    write_xlsx,
)

pytestmark = pytest.mark.django_db

SUIYANG_NUMBER = make_resident_number("411403", dt.date(1988, 8, 8), 245)
OUT_OF_SCOPE = "身份证号：该证件号码已在实名库中登记（不在您的管辖范围内，请联系其所在地经办机构）"


@pytest.fixture(autouse=True)
def media(tmp_path):
    with override_settings(MEDIA_ROOT=str(tmp_path / "media")):
        yield


@pytest.fixture
def suiyang_resident(user_named):
    """Household and residence in 睢阳区, registered by the 睢阳 officer: no link to 梁园区."""
    return services.person_create(
        actor=user_named("county_411403"), id_number=SUIYANG_NUMBER, name="睢阳测试人",
        phone="13566667777", household_region="411403", residence_region="411403",
    )


def run(api, path, *, region="411402", on_duplicate="skip", mode="partial"):
    """Start an import through the API; (final status, reasons of the report's rows)."""
    with open(path, "rb") as f, after_commit():
        response = api.post("/api/v1/people/imports", {
            "file": f, "region_code": region, "mode": mode, "on_duplicate": on_duplicate})
    assert response.status_code == 202, response.content
    body = api.get(f"/api/v1/people/imports/{response.json()['id']}").json()
    report = api.get(f"/api/v1/people/imports/{body['id']}/report")
    rows = read_report(io.BytesIO(b"".join(report.streaming_content)))
    return body, [r[-2] for r in rows[1:]]


def suiyang_row(**over):
    return person_row(1, 姓名="冒名", 身份证号=SUIYANG_NUMBER, 性别="", 出生日期="", **over)


# ---------------------------------------------------------------- region scope on writes


def test_rows_outside_the_importers_regions_are_refused_like_the_api(api_for, tmp_path):
    api = api_for("county_411402")
    path = write_xlsx(tmp_path / "a.xlsx",
                      [HEADERS, person_row(201), person_row(203, 户籍地="411403")])
    body, reasons = run(api, path)
    assert (body["created"], body["rejected"]) == (1, 1)
    assert reasons == ["第 3 行 户籍地：无权在「睢阳区」登记人员"]
    assert person(201) is not None and person(203) is None
    # the same rule as one registration through the API
    refused = api.post("/api/v1/people", {
        "id_number": person_row(203)[1], "name": "王小五", "household_region_code": "411403",
    }, content_type="application/json")
    assert refused.status_code == 403, refused.json()
    assert refused.json()["code"] == "out_of_scope", refused.json()


def test_strict_import_with_an_out_of_scope_row_writes_nothing(api_for, tmp_path):
    path = write_xlsx(tmp_path / "a.xlsx",
                      [HEADERS, person_row(201), person_row(203, 户籍地="睢阳区")])
    body, reasons = run(api_for("county_411402"), path, mode="strict")
    assert (body["created"], body["rejected"]) == (0, 1)
    assert reasons == ["第 3 行 户籍地：无权在「睢阳区」登记人员"]
    assert person(201) is None and person(203) is None


def test_the_city_may_import_into_either_county(api_for, tmp_path):
    path = write_xlsx(tmp_path / "a.xlsx",
                      [HEADERS, person_row(201), person_row(203, 户籍地="411403")])
    body, _ = run(api_for("city_411400"), path, region="411400")
    assert (body["created"], body["rejected"]) == (2, 0)
    assert person(203).household_region.code == "411403"


def test_an_institution_registers_anywhere_as_person_create_allows(api_for, tmp_path):
    path = write_xlsx(tmp_path / "a.xlsx", [HEADERS, person_row(203, 户籍地="411403")])
    body, _ = run(api_for("inst_411402"), path)
    assert (body["created"], body["rejected"]) == (1, 0)
    assert person(203).registered_by_id is not None


def test_an_update_cannot_move_a_person_out_of_scope(api_for, tmp_path):
    api = api_for("county_411402")
    run(api, write_xlsx(tmp_path / "a.xlsx", [HEADERS, person_row(201)]))
    moved = write_xlsx(tmp_path / "b.xlsx",
                       [HEADERS, person_row(201, 姓名="改名", 户籍地="411403")])
    body, reasons = run(api, moved, on_duplicate="update")
    assert (body["updated"], body["rejected"]) == (0, 1)
    assert reasons == ["第 2 行 户籍地：无权在「睢阳区」登记人员"]
    assert (person(201).name, person(201).household_region.code) == (kit.person_name(201), "411402")
    renamed = write_xlsx(tmp_path / "c.xlsx", [HEADERS, person_row(201, 姓名="改名")])
    body, _ = run(api, renamed, on_duplicate="update")  # staying in 梁园区 is fine
    assert (body["updated"], body["rejected"]) == (1, 0)
    assert person(201).name == "改名"


# ---------------------------------------------------------------- existence and names


@pytest.mark.parametrize("on_duplicate", ["error", "skip", "update"])
def test_a_number_registered_elsewhere_reveals_nothing(api_for, tmp_path, suiyang_resident,
                                                       on_duplicate):
    path = write_xlsx(tmp_path / "a.xlsx", [HEADERS, suiyang_row(), person_row(201)])
    body, reasons = run(api_for("county_411402"), path, on_duplicate=on_duplicate)
    assert (body["created"], body["updated"], body["skipped"], body["rejected"]) == (1, 0, 0, 1)
    assert reasons == [f"第 2 行 {OUT_OF_SCOPE}"]
    assert "睢" not in reasons[0] and "*" not in reasons[0]
    stored = Person.objects.get(pk=suiyang_resident.pk)
    assert (stored.name, stored.household_region.code) == ("睢阳测试人", "411403")
    imp = PersonImport.objects.get(pk=body["id"])
    event = AuditEvent.objects.get(action="import", object_id=str(imp.pk))
    assert event.changes["out_of_scope_matches"] == 1
    assert SUIYANG_NUMBER not in str(event.changes) and SUIYANG_NUMBER[-6:] not in str(
        event.changes)


def test_a_registered_person_named_outside_the_scope_is_reported_as_registered(
        api_for, tmp_path, suiyang_resident):
    """Also in an importer's first batches, which skip the look-up while nobody in the file
    has turned out to be registered: a row the officer could not register as new may still
    be someone registered, and then the report says that."""
    path = write_xlsx(tmp_path / "a.xlsx", [HEADERS, person_row(203), suiyang_row(户籍地="411403")])
    body, reasons = run(api_for("county_411402"), path)
    assert (body["created"], body["rejected"]) == (1, 1)
    assert reasons == [f"第 3 行 {OUT_OF_SCOPE}"]


def test_a_duplicate_in_scope_shows_only_the_masked_name(api_for, tmp_path):
    api = api_for("county_411402")
    run(api, write_xlsx(tmp_path / "a.xlsx", [HEADERS, person_row(201, 姓名="张小三")]))
    body, reasons = run(api, write_xlsx(tmp_path / "b.xlsx", [HEADERS, person_row(201)]),
                        on_duplicate="error")
    assert reasons == ["第 2 行 身份证号：该证件号码已在实名库中登记（张*三）"]
    event = AuditEvent.objects.get(action="import", object_id=str(body["id"]))
    assert event.changes["out_of_scope_matches"] == 0


def test_the_command_line_is_not_scoped(tmp_path, suiyang_resident):
    from django.core.management import call_command

    path = write_xlsx(tmp_path / "a.xlsx", [HEADERS, suiyang_row(户籍地="411403")])
    out = io.StringIO()
    call_command("import_people", path, "--region", "411402", "--on-duplicate", "update",
                 stdout=out)
    assert Person.objects.get(pk=suiyang_resident.pk).name == "冒名"


# ---------------------------------------------------------------- an institution's roster


def _all_sheets(api, import_id) -> dict[str, list[list]]:
    from python_calamine import CalamineWorkbook

    report = api.get(f"/api/v1/people/imports/{import_id}/report")
    book = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(report.streaming_content)))
    return {name: book.get_sheet_by_name(name).to_python() for name in book.sheet_names}


@pytest.mark.parametrize("on_duplicate", ["skip", "update"])
def test_a_school_roster_finds_people_the_bureau_registered(api_for, tmp_path, on_duplicate):
    """Issue 10: 20 rows of whom 14 the 梁园区 bureau registered. The school (inst_411402)
    gets them as found (已登记), not refused; it neither sees nor changes their records."""
    bureau_rows = [person_row(300 + i, 姓名="局登记人", 手机号=f"1391234{i:04d}")
                   for i in range(14)]
    bureau, _ = run(api_for("county_411402"), write_xlsx(tmp_path / "bureau.xlsx",
                                                        [HEADERS, *bureau_rows]))
    assert bureau["created"] == 14
    school_rows = [person_row(300 + i, 姓名="学员", 手机号=f"1370000{i:04d}")
                   for i in range(20)]
    school = api_for("inst_411402")
    body, reasons = run(school, write_xlsx(tmp_path / "school.xlsx", [HEADERS, *school_rows]),
                        on_duplicate=on_duplicate)
    assert (body["created"], body["updated"], body["skipped"], body["rejected"]) == (6, 0, 14, 0)
    assert reasons == []
    sheets = _all_sheets(school, body["id"])
    assert [row[0] for row in sheets["已登记"][1:]] == [float(n) for n in range(2, 16)]
    assert {row[1] for row in sheets["已登记"][1:]} == {"已登记（由其他地区或机构登记，未改动）"}
    summary = dict((row[0], row[1]) for row in sheets["汇总"])
    assert summary["其中已登记（跳过）"] == 14
    text = str(sheets)
    assert "局登记" not in text and "1391234" not in text and "139****" not in text
    for i in range(14):
        stored = person(300 + i)
        assert (stored.name, stored.registered_by_id) == ("局登记人", None)
        assert stored.phone_masked == f"139****{i:04d}"
    assert person(315).name == "学员" and person(315).registered_by_id is not None
    event = AuditEvent.objects.get(action="import", object_id=str(body["id"]))
    assert (event.changes["found"], event.changes["out_of_scope_matches"]) == (14, 14)


def test_a_school_roster_with_error_chosen_reports_registered_people_as_errors(
        api_for, tmp_path):
    run(api_for("county_411402"), write_xlsx(tmp_path / "b.xlsx", [HEADERS, person_row(300)]))
    body, reasons = run(api_for("inst_411402"),
                        write_xlsx(tmp_path / "s.xlsx", [HEADERS, person_row(300, 姓名="学员")]),
                        on_duplicate="error")
    assert (body["created"], body["skipped"], body["rejected"]) == (0, 0, 1)
    assert reasons == [f"第 2 行 {OUT_OF_SCOPE}"]
