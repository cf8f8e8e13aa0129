"""Catalogue pages in Chinese by default and in English for a user who chooses it; every
marked text has a translation (the shared catalogue or the app's own)."""

import sys
from pathlib import Path

import polib
import pytest

from jineng.orgs.models import User

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src" / "jineng"
OWN_PO = SRC / "catalog" / "locale" / "en" / "LC_MESSAGES" / "django.po"


def test_every_text_of_catalog_and_portal_has_an_english_translation():
    sys.path.insert(0, str(ROOT / "scripts"))
    import compile_messages

    done = set()
    for po_path in (SRC / "locale" / "en" / "LC_MESSAGES" / "django.po", OWN_PO):
        done |= {e.msgid for e in polib.pofile(str(po_path))
                 if (e.msgstr or e.msgstr_plural.get(0)) and not e.obsolete}
    used = compile_messages.extract([SRC / "catalog", SRC / "portal"])
    assert sorted(used - done) == []


def test_compiled_catalogue_is_up_to_date():
    mo = polib.mofile(str(OWN_PO.with_suffix(".mo")))
    assert {e.msgid: e.msgstr for e in polib.pofile(str(OWN_PO))} == {
        e.msgid: e.msgstr for e in mo if e.msgid}


def test_in_force_page_in_english(client_for):
    User.objects.filter(username="county_411402").update(language="en")
    html = client_for("county_411402").get("/catalog/in-force/?date=2023-01-01") \
        .content.decode()
    assert "Policies in force" in html and "From above (商丘市)" in html
    assert "Catalogues and policies" in html  # the menu section
    assert "在用政策" not in html


def test_in_force_page_in_chinese_by_default(client_for):
    html = client_for("county_411402").get("/catalog/in-force/").content.decode()
    assert "在用政策" in html and "目录与政策" in html
