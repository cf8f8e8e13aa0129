"""Uploads the task worker must never start on: an .xlsx that would inflate to gigabytes
(a zip bomb) and any file over the size limit are refused at once, before storing."""

import zipfile

import pytest
from django.test import override_settings

from jineng.core.spreadsheet_reader import ReadError, open_rows
from jineng.people.models import PersonImport
from tests.people.test_import_kit import HEADERS, person_row, write_xlsx

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(tmp_path):
    with override_settings(MEDIA_ROOT=str(tmp_path / "media")):
        yield tmp_path / "media"


def _bomb(tmp_path):
    path = write_xlsx(tmp_path / "炸弹.xlsx", [HEADERS, person_row(201)])
    with zipfile.ZipFile(path, "a", compression=zipfile.ZIP_DEFLATED) as book:
        book.writestr("xl/media/padding.xml", b" " * (64 << 20))  # ~1,000 times smaller
    return path


def _post(api, path):
    with open(path, "rb") as f:
        return api.post("/api/v1/people/imports", {"file": f, "region_code": "411402"})


def test_a_zip_bomb_is_refused_at_once_and_nothing_is_stored(api_for, client_for, tmp_path,
                                                              media):
    bomb = _bomb(tmp_path)
    r = _post(api_for("county_411402"), bomb)
    assert r.status_code == 400
    assert "压缩比异常" in r.json()["errors"]["file"]
    page = client_for("county_411402")
    with open(bomb, "rb") as f:
        r = page.post("/people/imports/new/", {"file": f, "region": "411402",
                                               "mode": "partial", "on_duplicate": "skip"})
    assert r.status_code == 400 and "压缩比异常" in r.content.decode()
    assert not PersonImport.objects.exists()
    assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))
    with pytest.raises(ReadError, match="压缩比异常"):  # the command line's path too
        open_rows(bomb)


def test_a_file_over_the_limit_is_refused_with_its_size(api_for, tmp_path):
    roster = write_xlsx(tmp_path / "名单.xlsx", [HEADERS, person_row(201)])
    with override_settings(JINENG_IMPORT_MAX_UPLOAD_BYTES=1000):
        r = _post(api_for("county_411402"), roster)
    assert r.status_code == 400
    assert "超过导入上限" in r.json()["errors"]["file"]
    assert not PersonImport.objects.exists()
    r = _post(api_for("county_411402"), roster)  # the same file, under the limit
    assert r.status_code == 202
