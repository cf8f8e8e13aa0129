"""Each role's home shows its own work and its menu only what concerns it."""

import pytest

from jineng.core.actors import actor_label
from jineng.core.events import action_label
from jineng.core.models import AuditEvent
from jineng.people.models import Person

pytestmark = pytest.mark.django_db


def _menu(client) -> set[str]:
    response = client.get("/")
    return {str(i["label"]) for _, items in response.context["menu_sections"] for i in items}


def _panels(client) -> dict:
    return {p.key: p for p in client.get("/").context["panels"]}


def test_worker_menu_is_their_own_pages(client_for):
    menu = _menu(client_for("worker_411402"))
    assert "我的档案" in menu
    assert not menu & {"用户", "资金预算", "政策版本", "职业分类", "劳动者", "参考数据", "机构"}


def test_institution_menu_is_its_work(client_for):
    menu = _menu(client_for("inst_411402"))
    assert {"劳动者", "花名册导入", "报名核验查找"} <= menu
    assert not menu & {"资金预算", "计划与工程", "职业分类", "参考数据"}


def test_reference_data_is_one_entry_for_maintainers(client_for):
    province = client_for("province_410000")
    menu = _menu(province)
    assert "参考数据" in menu
    assert not menu & {"职业分类", "工种", "重点群体", "行政区划", "政策版本"}
    page = province.get("/core/reference/").content.decode()
    for label in ("职业分类", "工种", "重点群体", "行政区划", "政策版本"):
        assert label in page
    assert "参考数据" not in _menu(client_for("reviewer_411400"))


def test_home_panels_by_role(client_for):
    assert set(_panels(client_for("worker_411402"))) == {"my_archive"}
    assert "audit" in _panels(client_for("auditadmin"))
    assert set(_panels(client_for("auditadmin"))) == {"audit"}
    county = _panels(client_for("county_411402"))
    assert {"registry", "scope"} <= set(county)
    people = {s.key: s.value for s in county["registry"].stats}["people"]
    assert people == Person.objects.filter(household_region__code="411402").count() or people > 0
    inst = _panels(client_for("inst_411402"))
    assert "institution" in inst and "scope" not in inst


def test_audit_panel_shows_latest_events_and_chain(client_for):
    panel = _panels(client_for("auditadmin"))["audit"]
    assert "审计链完整" in panel.notes[0]
    latest = AuditEvent.objects.order_by("-id").first()
    # In words: who (系统（…） for the system), and the action's Chinese name, not its code.
    assert actor_label(latest.actor_name) in panel.lines[0].text
    assert action_label(latest.action) in panel.lines[0].text
    assert latest.action not in panel.lines[0].text


def test_phone_menu_toggle_is_a_button(client_for):
    page = client_for("county_411402").get("/").content.decode()
    assert '<button type="button" class="nav-toggle"' in page
    assert 'aria-expanded="false"' in page and 'type="checkbox" id="nav-toggle"' not in page
