"""Evaluation's pages in Chinese by default and in English for a user who chooses it; every
marked text has a translation."""

import sys
from pathlib import Path

import polib
import pytest

from jineng.orgs.models import User
from tests.evaluation import kit

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src" / "jineng"
OWN_PO = SRC / "evaluation" / "locale" / "en" / "LC_MESSAGES" / "django.po"


def test_every_text_of_evaluation_has_an_english_translation():
    sys.path.insert(0, str(ROOT / "scripts"))
    import compile_messages

    done = set()
    for po_path in (SRC / "locale" / "en" / "LC_MESSAGES" / "django.po", OWN_PO):
        done |= {e.msgid for e in polib.pofile(str(po_path))
                 if (e.msgstr or e.msgstr_plural.get(0)) and not e.obsolete}
    assert sorted(compile_messages.extract([SRC / "evaluation"]) - done) == []


def test_compiled_catalogue_is_up_to_date():
    mo = polib.mofile(str(OWN_PO.with_suffix(".mo")))
    assert {e.msgid: e.msgstr for e in polib.pofile(str(OWN_PO))} == {
        e.msgid: e.msgstr for e in mo if e.msgid}


def test_a_plan_in_english(client_for):
    plan = kit.held(kit.approved_plan(), [(80, 75), (59, 90), (60, 60)])
    User.objects.filter(username="county_411402").update(language="en")
    html = client_for("county_411402").get(f"/evaluation/plans/{plan.pk}/").content.decode()
    for text in ("Evaluation scores (3 candidates)", "2 passed, 1 failed",
                 "Confirm and publish scores", "Examiners (2)", "Evaluation and certificates"):
        assert text in html, text
    for chinese in ("考核成绩", "确认发布成绩", "评价与证书"):
        assert chinese not in html, chinese
