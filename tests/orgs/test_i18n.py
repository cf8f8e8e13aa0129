"""Pages in Chinese by default, in English for a user who chooses it."""

import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

from jineng.orgs.models import User

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src" / "jineng"


def menu_labels(response) -> list[str]:
    return [str(i["label"]) for _, items in response.context["menu_sections"] for i in items]


def test_chinese_by_default(client_for):
    response = client_for("city_411400").get("/orgs/institutions/")
    html = response.content.decode()
    assert response["Content-Language"] == "zh-hans"
    assert menu_labels(response)[:6] == [
        "待我审核", "审核流程", "参考数据", "计划与工程", "资金预算", "责任单位"]
    assert "<th>统一社会信用代码</th>" in html and "导出 Excel" in html
    assert '<html lang="zh-hans">' in html
    assert "登录" in Client().get("/login/").content.decode()


def test_user_with_english_sees_english(client_for):
    User.objects.filter(username="city_411400").update(language="en")
    response = client_for("city_411400").get("/orgs/institutions/")
    html = response.content.decode()
    assert response["Content-Language"] == "en"
    assert menu_labels(response)[:6] == [
        "Awaiting my review", "Review chains", "Reference data", "Programmes", "Fund budgets",
        "Departments",
    ]
    assert "<th>Unified social credit code</th>" in html
    assert "Export to Excel" in html and "Sign out" in html and "Home" in html
    assert "records" in html  # "共 N 条" in its plural form
    assert 'data-label="Kind">Technical school</td>' in html  # choice labels too
    assert "统一社会信用代码" not in html
    form = client_for("city_411400").get("/orgs/institutions/new/").content.decode()
    assert "Contact phone" in form and "Save" in form


def test_switching_language_on_the_page(client_for):
    client = client_for("county_411402")
    response = client.post("/language/", {"language": "en", "next": "/orgs/institutions/"})
    assert response.status_code == 302 and response.url == "/orgs/institutions/"
    assert User.objects.get(username="county_411402").language == "en"
    assert "Institutions" in menu_labels(client.get("/orgs/institutions/"))
    # The choice belongs to the user, so it follows them to a new session.
    assert "Institutions" in menu_labels(client_for("county_411402").get("/"))

    client.post("/language/", {"language": "zh-hans", "next": "/"})
    assert "机构" in menu_labels(client.get("/"))


def test_unknown_language_or_foreign_next_changes_nothing(client_for):
    client = client_for("county_411402")
    response = client.post("/language/", {"language": "fr", "next": "https://evil.example/"})
    assert response.status_code == 302 and response.url == "/"
    assert User.objects.get(username="county_411402").language == "zh-hans"
    assert "不支持的语言" in client.get("/").content.decode()


def test_language_switch_needs_a_post_and_a_login(client_for):
    assert client_for("county_411402").get("/language/").status_code == 405
    response = Client().post("/language/", {"language": "en"})
    assert response.status_code == 302 and response.url.startswith("/login/")


def test_every_page_text_of_orgs_and_core_has_an_english_translation():
    sources = [
        SRC / "templates", SRC / "core" / "templates", SRC / "orgs" / "templates",
        SRC / "orgs" / "menu.py", SRC / "core" / "menu.py", SRC / "orgs" / "views.py",
        SRC / "orgs" / "forms.py", SRC / "core" / "views.py", SRC / "core" / "views_audit.py",
        SRC / "orgs" / "models.py", SRC / "core" / "scope.py",
    ]
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "compile_messages.py"), "--check",
         *map(str, sources)],
        capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stdout


def test_compiled_catalogue_is_up_to_date():
    import polib

    po = SRC / "locale" / "en" / "LC_MESSAGES" / "django.po"
    mo = polib.mofile(str(po.with_suffix(".mo")))
    assert {e.msgid: e.msgstr for e in polib.pofile(str(po)) if not e.msgid_plural} == {
        e.msgid: e.msgstr for e in mo if not e.msgid_plural and e.msgid
    }


def test_home_panels_read_in_english(client_for):
    for username, words in (("sysadmin", ["Accounts", "Active accounts", "Locked"]),
                            ("city_411400", ["Jurisdiction"]),
                            ("inst_411402", ["Institution details", "Region: "])):
        User.objects.filter(username=username).update(language="en")
        html = client_for(username).get("/").content.decode()
        for word in words:
            assert word in html, (username, word)
        for chinese in ("启用的账号", "管辖范围", "机构信息", "所在地区："):
            assert chinese not in html, (username, chinese)
