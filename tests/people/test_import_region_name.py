"""The import command takes its default region by name as well as by code."""

import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from jineng.people.models import PersonImport
from tests.people.test_import_kit import HEADERS, person_row, write_xlsx

pytestmark = pytest.mark.django_db


def test_the_command_takes_a_region_name(tmp_path):
    roster = write_xlsx(tmp_path / "名单.xlsx", [HEADERS, person_row(201)])
    out = io.StringIO()
    with override_settings(MEDIA_ROOT=str(tmp_path / "media")):
        call_command("import_people", roster, "--region", "梁园区", stdout=out)
    imp = PersonImport.objects.get(pk=json.loads(out.getvalue())["import_id"])
    assert imp.region.code == "411402" and imp.created == 1
    with pytest.raises(CommandError, match="地区「梁园」不存在"):
        call_command("import_people", roster, "--region", "梁园")
