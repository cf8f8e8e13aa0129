"""The audit trail: every service write appends an event with before/after; the chain is
append-only and `audit_verify` names the first altered, removed or truncated event."""

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from jineng.core.audit import verify_chain
from jineng.core.models import AppendOnlyError, AuditEvent
from jineng.orgs import services
from jineng.orgs.models import Institution, Region, User

pytestmark = pytest.mark.django_db


def last_event() -> AuditEvent:
    return AuditEvent.objects.order_by("-id").first()


def raw_sql(sql: str, params=()) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def verify() -> str:
    import io

    out = io.StringIO()
    call_command("audit_verify", stdout=out)
    return out.getvalue()


@pytest.fixture
def admin(user_named):
    return user_named("sysadmin")


def test_service_write_records_before_and_after(admin):
    institution = Institution.objects.get(name="商丘技师学院")
    services.institution_update(actor=admin, institution=institution, contact_name="李老师",
                                status="suspended")
    event = last_event()
    assert (event.action, event.object_type, event.object_id, event.actor_name) == (
        "update", "orgs.institution", str(institution.pk), "sysadmin",
    )
    assert event.changes == {
        "contact_name": ["王老师", "李老师"], "status": ["active", "suspended"],
    }
    assert event.object_repr == "商丘技师学院"


def test_unchanged_save_records_nothing(admin):
    institution = Institution.objects.get(name="商丘技师学院")
    events = AuditEvent.objects.count()
    services.institution_update(actor=admin, institution=institution, name=institution.name)
    assert AuditEvent.objects.count() == events


def test_every_kind_of_write_is_audited(admin):
    region = Region.objects.get(code="411400")
    steps = [
        (lambda: services.region_create(actor=admin, code="411498", name="测试功能区",
                                        parent=region, non_standard=True), "orgs.region"),
        (lambda: services.department_create(actor=admin, region=region, code="D99",
                                            name="测试局"), "orgs.department"),
    ]
    for make, object_type in steps:
        events = AuditEvent.objects.count()
        obj = make()
        assert AuditEvent.objects.count() == events + 1
        event = last_event()
        assert (event.action, event.object_type, event.object_id) == (
            "create", object_type, str(obj.pk),
        )
        assert event.changes["name"] == [None, obj.name]
    user = services.user_create(actor=admin, username="audit_probe", password="Shenji#2026ab",
                                region=region)
    assert (last_event().action, last_event().object_id) == ("create", str(user.pk))
    assert "password" not in last_event().changes
    services.user_set_language(user=user, language="en")
    assert last_event().changes == {"language": ["zh-hans", "en"]}


def test_request_id_and_ip_are_recorded(client_for):
    client = client_for("city_411400")
    institution = Institution.objects.get(name="商丘技师学院")
    client.post(f"/orgs/institutions/{institution.pk}/", {
        "name": institution.name, "kind": institution.kind, "credit_code": institution.credit_code,
        "region": "411400", "status": "active", "contact_name": "赵老师",
    }, headers={"X-Request-ID": "req-42"}, REMOTE_ADDR="10.1.2.3")
    event = last_event()
    assert (event.request_id, event.ip, event.actor_name) == ("req-42", "10.1.2.3", "city_411400")


def test_intact_chain_verifies():
    assert verify_chain() is None
    assert "审计链完整" in verify()


def test_altered_event_is_named(admin):
    services.user_set_language(user=admin, language="en")
    services.user_set_language(user=admin, language="zh-hans")
    target = AuditEvent.objects.order_by("id")[3]
    raw_sql(f"UPDATE {AuditEvent._meta.db_table} SET actor_name = %s WHERE id = %s",
            ["someone_else", target.id])
    named = f"第 {target.chain} 链第 {target.seq} 号审计事件的内容被篡改"
    with pytest.raises(CommandError, match=named) as caught:
        verify()
    assert f"someone_else {target.action} {target.object_type}:{target.object_id}" in str(
        caught.value
    )


def test_altered_event_with_recomputed_hash_breaks_the_next_link():
    from jineng.core.audit import event_hash

    target = AuditEvent.objects.order_by("id")[5]
    target.object_repr = "伪造"
    forged = event_hash(target)
    raw_sql(f"UPDATE {AuditEvent._meta.db_table} SET object_repr = %s, hash = %s WHERE id = %s",
            ["伪造", forged, target.id])
    with pytest.raises(CommandError,
                       match=f"第 {target.chain} 链第 {target.seq + 1} 号审计事件的前序哈希不符"):
        verify()


def test_deleted_event_in_the_middle_is_named():
    target = AuditEvent.objects.order_by("id")[10]
    raw_sql(f"DELETE FROM {AuditEvent._meta.db_table} WHERE id = %s", [target.id])
    with pytest.raises(CommandError, match=f"第 {target.chain} 链第 {target.seq} 号审计事件缺失"):
        verify()


def test_truncated_tail_is_caught(admin):
    services.user_set_language(user=admin, language="en")
    chain, last = last_event().chain, last_event().seq
    raw_sql(f"DELETE FROM {AuditEvent._meta.db_table} WHERE chain = %s AND seq >= %s",
            [chain, last - 1])
    with pytest.raises(CommandError, match=f"第 {chain} 链第 {last - 1} 号及之后的审计事件缺失"):
        verify()


def test_application_cannot_change_or_delete_events():
    event = last_event()
    event.action = "nothing_happened"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(action="x")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.bulk_update([event], ["action"])
    assert AuditEvent.objects.get(pk=event.pk).action != "nothing_happened"
    assert verify_chain() is None


def test_failed_write_leaves_no_event(admin):
    events = AuditEvent.objects.count()
    with pytest.raises(services.ServiceError):
        services.institution_create(actor=admin, name="坏代码机构", kind="training",
                                    credit_code="123", region=Region.objects.get(code="411400"))
    assert AuditEvent.objects.count() == events


def test_audit_page_searches_by_actor_object_action_and_time(client_for):
    institution = Institution.objects.get(name="商丘技师学院")
    services.institution_update(actor=User.objects.get(username="city_411400"),
                                institution=institution, contact_name="钱老师")
    client = client_for("auditadmin")

    def rows(query):
        response = client.get("/core/audit/?" + query)
        assert response.status_code == 200
        return response.context["page"].paginator.count, response.context["page"].object_list

    count, found = rows("actor=city_411400&event=update&object_type=orgs.institution"
                        f"&object_id={institution.pk}")
    assert count == 1 and found[0].changes == {"contact_name": ["王老师", "钱老师"]}
    today = timezone.localtime(found[0].at).date().isoformat()
    mine = "actor=city_411400&event=update&object_type=orgs.institution"
    assert rows(f"{mine}&since={today}&until={today}")[0] == 1
    assert rows(f"{mine}&since=2000-01-01&until=2000-01-02")[0] == 0
    assert rows(f"{mine}&since=not-a-date")[0] == 1  # a bad date is ignored
    assert rows("actor=nobody")[0] == 0
