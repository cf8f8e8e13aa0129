"""The keyed audit chain: without the key nobody can re-chain the trail, keys rotate, and a
signed checkpoint catches a trail cut back to an earlier, self-consistent head."""

import pytest
from django.db import connection
from django.test import override_settings

from jineng.core.actors import system_actor
from jineng.core.audit import audit_checkpoint_create, event_hash, verify_chain
from jineng.core.models import AuditChainHead, AuditEvent
from jineng.orgs import services

pytestmark = pytest.mark.django_db
EVENTS = AuditEvent._meta.db_table
HEAD = AuditChainHead._meta.db_table


def raw_sql(sql: str, params=()) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def rechain_from(chain: int, seq: int, *, keys: dict) -> None:
    """What an attacker with write access does: alter event `seq` of `chain`, then recompute
    its hash and every later link and the head, under the keys they have."""
    events = list(AuditEvent.objects.filter(chain=chain, seq__gte=seq - 1).order_by("seq"))
    prev = events[0].hash
    with override_settings(AUDIT_KEYS=keys):
        for event in events[1:]:
            if event.seq == seq:
                event.object_repr = "伪造"
            event.prev_hash = prev
            event.hash = event_hash(event)
            raw_sql(f"UPDATE {EVENTS} SET object_repr = %s, prev_hash = %s, hash = %s "
                    "WHERE id = %s", [event.object_repr, event.prev_hash, event.hash, event.id])
            prev = event.hash
    raw_sql(f"UPDATE {HEAD} SET hash = %s WHERE id = %s", [prev, chain])


def test_a_trail_rechained_without_the_key_is_caught():
    target = AuditEvent.objects.order_by("id")[5]
    guessed = {key_id: "00" * 32 for key_id in {e.key_id for e in AuditEvent.objects.all()}}
    rechain_from(target.chain, target.seq, keys=guessed)
    problem = verify_chain()
    assert problem is not None and problem.seq == target.seq
    assert "内容被篡改" in problem.message


def test_after_rotation_old_events_verify_with_their_key_and_new_ones_use_the_new(user_named,
                                                                                 settings):
    old_id = settings.AUDIT_KEY_ID
    settings.AUDIT_KEYS = {**settings.AUDIT_KEYS, "rotated": "ab" * 32}
    settings.AUDIT_KEY_ID = "rotated"
    services.user_set_language(user=user_named("sysadmin"), language="en")
    newest = AuditEvent.objects.order_by("-id").first()
    assert newest.key_id == "rotated"
    assert AuditEvent.objects.filter(key_id=old_id).exists()
    assert verify_chain() is None
    settings.AUDIT_KEYS = {k: v for k, v in settings.AUDIT_KEYS.items() if k != "rotated"}
    problem = verify_chain()
    assert problem.seq == newest.seq and "rotated" in problem.message


def test_a_checkpoint_catches_a_trail_cut_back_to_an_earlier_head(user_named):
    admin = user_named("sysadmin")
    services.user_set_language(user=admin, language="en")
    checkpoint = audit_checkpoint_create(actor=system_actor("audit_checkpoint"))
    services.user_set_language(user=admin, language="zh-hans")
    assert verify_chain(checkpoints=[checkpoint]) is None
    # Cut the trail back before the checkpointed event and point the head at what is left:
    # the chain itself is consistent again, only the checkpoint knows better.
    [(chain, seq, _)] = checkpoint["heads"]
    kept = AuditEvent.objects.get(chain=chain, seq=seq - 1)
    raw_sql(f"DELETE FROM {EVENTS} WHERE chain = %s AND seq > %s", [chain, kept.seq])
    raw_sql(f"UPDATE {HEAD} SET seq = %s, hash = %s WHERE id = %s", [kept.seq, kept.hash, chain])
    assert verify_chain() is None
    problem = verify_chain(checkpoints=[checkpoint])
    assert (problem.chain, problem.seq) == (chain, seq) and "截断" in problem.message


def test_an_edited_checkpoint_file_is_refused():
    checkpoint = audit_checkpoint_create(actor=system_actor("audit_checkpoint"))
    checkpoint["heads"][0][1] -= 1
    problem = verify_chain(checkpoints=[checkpoint])
    assert problem is not None and "签名不符" in problem.message


def test_only_the_audit_administrator_exports_a_checkpoint(user_named):
    from jineng.core.errors import Forbidden

    with pytest.raises(Forbidden):
        audit_checkpoint_create(actor=user_named("sysadmin"))
    checkpoint = audit_checkpoint_create(actor=user_named("auditadmin"))
    assert checkpoint["exported_by"] == "auditadmin"


def test_the_commands_export_a_checkpoint_and_verify_against_it(tmp_path):
    import io

    from django.core.management import CommandError, call_command

    path = tmp_path / "checkpoint.json"
    call_command("audit_checkpoint", str(path), stdout=io.StringIO())
    out = io.StringIO()
    call_command("audit_verify", "--checkpoint", str(path), stdout=out)
    assert "与 1 个检查点相符" in out.getvalue()
    raw_sql(f"DELETE FROM {EVENTS} WHERE id >= (SELECT MAX(id) FROM {EVENTS})")
    with pytest.raises(CommandError, match="审计"):
        call_command("audit_verify", "--checkpoint", str(path), stdout=io.StringIO())
