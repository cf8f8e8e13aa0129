"""The system as an actor, named audit actions, and the audit page in words (issue 9 "One
refusal vocabulary", "Locks and follow-ups"; issue 10 "Codes leak")."""

import ast
import io
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import transaction

from jineng.catalog import presets
from jineng.core.actors import SystemActor, system_actor
from jineng.core.audit import audit_checkpoint_create, audit_record
from jineng.core.errors import Forbidden, ServiceError
from jineng.core.events import UnknownAuditAction
from jineng.core.models import AuditEvent
from jineng.orgs import services

pytestmark = pytest.mark.django_db
SRC = Path(__file__).resolve().parents[2] / "src" / "jineng"


def test_a_preset_load_is_audited_as_the_system():
    published = AuditEvent.objects.filter(action="publish", object_type="catalog.policyversion")
    from_presets = published.filter(actor_name="system:presets")
    assert from_presets.exists()
    assert not from_presets.exclude(actor_id=None).exists()
    assert not AuditEvent.objects.filter(actor_name="").exclude(
        action__startswith="login").exists()  # only a sign-in under an unknown name is blank


def test_a_command_is_audited_as_the_system_and_shown_so(tmp_path, client_for):
    rows = tmp_path / "occupations.csv"
    rows.write_text("code,level,name,mark\n4-00-00-00,1,社会生产服务和生活服务人员,\n",
                    encoding="utf-8")
    call_command("import_occupations", str(rows), edition="2033", stdout=io.StringIO())
    event = AuditEvent.objects.get(action="import_edition", object_id="2033")
    assert (event.actor_id, event.actor_name) == (None, "system:import_occupations")
    page = client_for("auditadmin").get("/core/audit/?event=import_edition").content.decode()
    assert "系统（导入职业分类大典）" in page


def test_a_user_cannot_act_as_the_system(user_named, api_for):
    admin = user_named("sysadmin")
    with pytest.raises(ServiceError) as exc:
        services.user_create(actor=admin, username="system:presets", password="Xitong#2026ab")
    assert "username" in exc.value.errors
    with pytest.raises(Forbidden):  # the three administrators come from the command line only
        services.user_bootstrap(actor=admin, username="auditadmin2", role_code="auditadmin",
                                password="Xitong#2026ab")
    with pytest.raises(ValueError):
        SystemActor("anything")
    # The system administrator cannot publish what the presets publish.
    api = api_for("sysadmin")
    last = AuditEvent.objects.order_by("-id").first().id
    response = api.post(
        "/api/v1/policies", content_type="application/json",
        data={"kind": "placement_subsidy", "region_code": "411402", "valid_from": "2031-01-01",
              "data": {"amount_fen_per_person": 100, "min_employment_months": 6},
              "is_sample": True, "actor": "system:presets"})
    assert response.status_code == 403
    assert not AuditEvent.objects.filter(id__gt=last).exists()


def test_record_refuses_an_action_no_app_registered():
    with pytest.raises(UnknownAuditAction, match="frobnicate"):
        audit_record(actor=system_actor("presets"), action="frobnicate")


def test_every_audit_call_names_its_action_by_a_constant():
    literal = []
    for path in SRC.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                for kw in node.keywords:
                    if (kw.arg == "action" and isinstance(kw.value, ast.Constant)
                            and _is_audit_call(node)):
                        literal.append(f"{path.relative_to(SRC)}:{node.lineno}")
    assert literal == []


def _is_audit_call(node: ast.Call) -> bool:
    name = getattr(node.func, "id", getattr(node.func, "attr", ""))
    return name in {"audit_record", "_record", "_created"}


def test_the_audit_page_speaks_chinese_and_filters_by_choice(client_for, demo_password):
    services.login_check(username="county_411402", password=demo_password)
    client = client_for("auditadmin")
    everything = client.get("/core/audit/")
    logins = client.get("/core/audit/?event=login&object_type=orgs.user")
    assert logins.status_code == 200
    cells = _cells(logins.content.decode())
    assert "登录" in cells and "用户" in cells
    assert not {"login", "orgs.user", "create", "update"} & set(cells)
    assert logins.context["page"].paginator.count < everything.context["page"].paginator.count
    assert all(e.action == "login" for e in logins.context["page"].object_list)
    html = everything.content.decode()
    assert re.search(r'<select name="event"[^>]*>.*<option value="login"[^>]*>登录</option>',
                     html, re.S)
    assert re.search(r'<option value="orgs.user"[^>]*>用户</option>', html)
    assert "orgs.user" not in "".join(_cells(html))


def _cells(html: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", html,
                                                                  re.S)]


def test_no_row_is_locked_but_through_a_lock_helper():
    outside = [str(p.relative_to(SRC)) for p in SRC.rglob("*.py")
               if "select_for_update" in p.read_text(encoding="utf-8")
               and p.name != "lock_objects.py"]
    assert outside == []


def test_top_level_transactions_refuse_to_run_inside_another(demo_password):
    with pytest.raises(RuntimeError), transaction.atomic():
        presets.load()
    with pytest.raises(RuntimeError), transaction.atomic():  # failures must commit on their own
        services.login_check(username="county_411402", password="wrong")
    with pytest.raises(RuntimeError), transaction.atomic():
        audit_checkpoint_create(actor=system_actor("audit_checkpoint"))


def test_an_import_from_the_command_line_is_audited_as_the_system(tmp_path):
    from django.test import override_settings

    from tests.people.test_import_kit import HEADERS, person_row, write_xlsx

    roster = write_xlsx(tmp_path / "名单.xlsx", [HEADERS, person_row(301)])
    with override_settings(MEDIA_ROOT=str(tmp_path / "media")):
        call_command("import_people", roster, "--region", "411402", stdout=io.StringIO())
    event = AuditEvent.objects.filter(action="import").order_by("-id").first()
    assert (event.actor_id, event.actor_name) == (None, "system:import_people")


def test_two_apps_cannot_register_one_action_value():
    from django.core.exceptions import ImproperlyConfigured
    from django.db import models

    from jineng.core.events import action_label, register

    class Clash(models.TextChoices):
        LOGIN = "login", "别的意思"

    with pytest.raises(ImproperlyConfigured, match="login"):
        register(Clash)
    assert action_label("login") == "登录"
