"""The people pages in Chinese by default and in English for a user who chooses it; every
marked text of the app has a translation (the shared catalogue or the app's own)."""

import sys
from pathlib import Path

import polib
import pytest

from jineng.orgs.services import user_set_language

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src" / "jineng"
OWN_PO = SRC / "people" / "locale" / "en" / "LC_MESSAGES" / "django.po"


def test_every_text_of_people_has_an_english_translation_and_is_compiled():
    sys.path.insert(0, str(ROOT / "scripts"))
    import compile_messages

    done = set()
    for po_path in (SRC / "locale" / "en" / "LC_MESSAGES" / "django.po", OWN_PO):
        done |= {e.msgid for e in polib.pofile(str(po_path))
                 if (e.msgstr or e.msgstr_plural.get(0)) and not e.obsolete}
    assert sorted(compile_messages.extract([SRC / "people"]) - done) == []
    mo = polib.mofile(str(OWN_PO.with_suffix(".mo")))
    assert {(e.msgctxt, e.msgid): e.msgstr for e in polib.pofile(str(OWN_PO))} == {
        (e.msgctxt, e.msgid): e.msgstr for e in mo if e.msgid}


def test_person_list_in_english(client_for, user_named):
    user_set_language(user=user_named("city_411400"), language="en")
    html = client_for("city_411400").get("/people/").content.decode()
    assert "Worker registry" in html and "ID number (exact)" in html
    assert ">Workers<" in html and "Roster imports" in html  # the left menu
    assert "劳动者实名登记" not in html and "精确查找" not in html


def test_person_list_in_chinese_by_default(client_for):
    html = client_for("city_411400").get("/people/").content.decode()
    assert "劳动者实名登记" in html and ">劳动者<" in html and "花名册导入" in html
    assert "Worker registry" not in html
