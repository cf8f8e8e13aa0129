"""Training's pages in Chinese by default and in English for a user who chooses it; every
marked text has a translation."""

import sys
from pathlib import Path

import polib
import pytest

from jineng.orgs.models import User

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src" / "jineng"
OWN_PO = SRC / "training" / "locale" / "en" / "LC_MESSAGES" / "django.po"


def test_every_text_of_training_has_an_english_translation():
    sys.path.insert(0, str(ROOT / "scripts"))
    import compile_messages

    done = set()
    for po_path in (SRC / "locale" / "en" / "LC_MESSAGES" / "django.po", OWN_PO):
        done |= {e.msgid for e in polib.pofile(str(po_path))
                 if (e.msgstr or e.msgstr_plural.get(0)) and not e.obsolete}
    assert sorted(compile_messages.extract([SRC / "training"]) - done) == []


def test_compiled_catalogue_is_up_to_date():
    mo = polib.mofile(str(OWN_PO.with_suffix(".mo")))
    assert {e.msgid: e.msgstr for e in polib.pofile(str(OWN_PO))} == {
        e.msgid: e.msgstr for e in mo if e.msgid}


def test_school_reports_in_english(client_for):
    User.objects.filter(username="county_411403").update(language="en")
    html = client_for("county_411403").get("/training/school-reports/").content.decode()
    assert "School training reports" in html and "Institutions and teachers" in html
    assert "院校培训年报" not in html


def test_school_reports_in_chinese_by_default(client_for):
    html = client_for("county_411403").get("/training/school-reports/").content.decode()
    assert "院校培训年报" in html and "培训机构与师资" in html
