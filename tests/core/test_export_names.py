"""Exports are named for a person: the page's title in their language and the date, sent as
an RFC 5987 filename* (not `people.person.xlsx`)."""

import datetime as dt
import re
from urllib.parse import unquote

import pytest

from jineng.core import views
from jineng.core.spreadsheets import export_filename

DAY = dt.date(2026, 12, 3)


def downloaded_name(response) -> str:
    """The name a browser saves the file under: filename* (RFC 5987) for a name beyond
    ASCII, else the plain filename."""
    disposition = response["Content-Disposition"]
    if match := re.fullmatch(r"attachment; filename\*=utf-8''(\S+)", disposition):
        return unquote(match[1])
    match = re.fullmatch(r'attachment; filename="([ -~]+)"', disposition)
    assert match, disposition
    return match[1]


@pytest.fixture
def on_day(monkeypatch):
    monkeypatch.setattr(views.timezone, "localdate", lambda *a: DAY)


@pytest.mark.django_db
def test_a_list_export_is_named_by_its_title_and_the_day(client_for, on_day):
    response = client_for("county_411402").get("/people/?export=xlsx")
    assert response.status_code == 200
    assert downloaded_name(response) == "劳动者实名登记-2026-12-03.xlsx"
    institutions = client_for("city_411400").get("/orgs/institutions/?export=xlsx")
    assert downloaded_name(institutions) == "机构-2026-12-03.xlsx"


@pytest.mark.django_db
def test_an_officer_reading_english_gets_an_english_name(client_for, on_day):
    from jineng.orgs.models import User

    User.objects.filter(username="city_411400").update(language="en")
    response = client_for("city_411400").get("/orgs/institutions/?export=xlsx")
    assert downloaded_name(response) == "Institutions-2026-12-03.xlsx"


@pytest.mark.django_db
def test_the_public_catalogue_export_names_region_and_date(client):
    response = client.get("/catalogue/?region=411402&date=2024-01-01&export=xlsx")
    assert downloaded_name(response) == "补贴性培训职业目录-梁园区-2024-01-01.xlsx"


def test_characters_a_file_name_cannot_hold_become_dashes():
    assert export_filename("计划/工程", "a:b", on_date=DAY) == "计划-工程-a-b-2026-12-03.xlsx"
