"""The audit trail: append an event, and verify the hash chain.

Every service write calls `audit_record` inside its transaction, so the event and the change
commit or roll back together. Events are chained: each hash is an HMAC, under a key kept
outside the database (settings.AUDIT_KEYS, by the key id the event records), of the event's
fields and the previous hash, and `AuditChainHead` holds the last one, so an altered, removed
or re-chained event is found by `audit_verify`. A truncated tail with a rewound head needs no
key: signed checkpoints, exported by the audit administrator and kept elsewhere, catch it.

The trail is several chains, one per head row: a transaction appends to a head no other
transaction holds (lock_objects.audit_chain_head_lock), so writers do not wait for each
other's commits on one row. Each chain is whole on its own. The chain number is not hashed:
an event moved to another chain breaks the links of both.
"""

import datetime as dt
import hashlib
import hmac
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.utils import timezone

from jineng.core import context
from jineng.core.events import CoreAction, checked_action
from jineng.core.lock_objects import audit_chain_head_lock, locked
from jineng.core.models import AuditChainHead, AuditEvent
from jineng.core.refusals import require

GENESIS = "0" * 64
HASHED_FIELDS = (
    "seq", "at", "actor_id", "actor_name", "action", "object_type", "object_id",
    "object_repr", "changes", "request_id", "ip", "prev_hash", "key_id",
)
CHECKPOINT_FORMAT = "jineng-audit-checkpoint/2"


def _normalise(value):
    """JSON as the database will give it back (dates as strings, keys sorted)."""
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder, sort_keys=True))


class UnknownAuditKey(KeyError):
    pass


def _mac(key_id: str, purpose: str, data: dict) -> str:
    try:
        key = bytes.fromhex(settings.AUDIT_KEYS[key_id])
    except KeyError:
        raise UnknownAuditKey(key_id) from None
    payload = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"),
                         cls=DjangoJSONEncoder)
    return hmac.new(key, f"{purpose}:{payload}".encode(), hashlib.sha256).hexdigest()


def event_hash(event: AuditEvent) -> str:
    """HMAC-SHA256 of the event's fields under the key its `key_id` names."""
    data = {f: getattr(event, f) for f in HASHED_FIELDS}
    data["at"] = event.at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return _mac(event.key_id, "event", data)


def object_label(obj) -> tuple[str, str, str]:
    if obj is None:
        return "", "", ""
    meta = obj._meta
    return f"{meta.app_label}.{meta.model_name}", str(obj.pk), str(obj)[:200]


def audit_record(
    *,
    actor,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    changes: dict | None = None,
) -> AuditEvent:
    """Append one event. Call inside the transaction of the change it records. `action` is
    a registered action type (an app's events.py); anything else is refused."""
    action = checked_action(action)
    if obj is not None:
        object_type, object_id, object_repr = object_label(obj)
    ctx = context.current()
    # no savepoint of its own: an event that fails to append fails the caller's transaction
    with transaction.atomic(savepoint=False):
        head = audit_chain_head_lock()
        event = AuditEvent(
            chain=head.pk,
            seq=head.seq + 1,
            at=timezone.now(),
            actor_id=getattr(actor, "pk", None),
            actor_name=getattr(actor, "username", "") or "",
            action=action,
            object_type=object_type,
            object_id=str(object_id),
            object_repr=object_repr[:200],
            changes=_normalise(changes or {}),
            request_id=ctx.request_id,
            ip=ctx.ip,
            prev_hash=head.hash,
            key_id=settings.AUDIT_KEY_ID,
        )
        event.hash = event_hash(event)
        event.save()
        head.seq, head.hash = event.seq, event.hash
        head.save(update_fields=["seq", "hash"])
    return event


def snapshot(obj: models.Model, fields: Iterable[str]) -> dict:
    """Field values as the audit trail stores them (foreign keys by id)."""
    out = {}
    for name in fields:
        field = obj._meta.get_field(name)
        if field.many_to_many:
            out[name] = sorted(obj.pk and getattr(obj, name).values_list("pk", flat=True) or [])
        else:
            out[name] = getattr(obj, field.attname)
    return _normalise(out)


def diff(before: dict, after: dict) -> dict:
    """{field: [old, new]} for every field whose value changed."""
    return {k: [before.get(k), after.get(k)] for k in after if before.get(k) != after.get(k)}


@dataclass
class ChainProblem:
    chain: int
    seq: int
    message: str


def event_number(chain: int, seq: int) -> str:
    """How an event is named to the audit administrator: its chain and its place in it."""
    return f"第 {chain} 链第 {seq} 号审计事件"


def _label(event: AuditEvent) -> str:
    """How the event reads now (its stored fields may be the altered ones)."""
    at = timezone.localtime(event.at).strftime("%Y-%m-%d %H:%M:%S")
    return f"{at} {event.actor_name or '-'} {event.action} {event.object_type}:{event.object_id}"


def link_problem(event: AuditEvent, expected_seq: int, prev: str) -> ChainProblem | None:
    """What is wrong with `event` as the next of its chain after `expected_seq - 1`, whose
    hash is `prev`: the event before it missing, a broken link, an altered event."""
    chain, name = event.chain, event_number(event.chain, event.seq)
    if event.seq != expected_seq:
        return ChainProblem(chain, expected_seq,
                            f"{event_number(chain, expected_seq)}缺失（已被删除）")
    if event.prev_hash != prev:
        return ChainProblem(chain, event.seq,
                            f"{name}的前序哈希不符，链条被改动（{_label(event)}）")
    try:
        intact = hmac.compare_digest(event_hash(event), event.hash)
    except UnknownAuditKey:
        return ChainProblem(chain, event.seq,
                            f"{name}的密钥编号「{event.key_id}」不在配置的审计密钥中，无法校验")
    if not intact:
        return ChainProblem(chain, event.seq, f"{name}的内容被篡改（{_label(event)}）")
    return None


def head_problem(chain: int, last_seq: int, last_hash: str,
                 heads: dict[int, AuditChainHead]) -> ChainProblem | None:
    """The chain's last event against its head, read before the events were: a head past it
    means its tail was removed (a head behind it, that events were added since)."""
    head = heads.get(chain)
    if head is None:
        return ChainProblem(chain, last_seq, f"第 {chain} 链的链头记录缺失（已被删除）")
    if head.seq > last_seq or (head.seq == last_seq and head.hash != last_hash):
        return ChainProblem(chain, last_seq + 1,
                            f"第 {chain} 链第 {last_seq + 1} 号及之后的审计事件缺失（已被删除）")
    return None


def verify_chain(events: Iterator[AuditEvent] | None = None,
                 checkpoints: Iterable[dict] = ()) -> ChainProblem | None:
    """Walk each chain in order, then hold them against each checkpoint; the first altered,
    missing or re-chained event, or None if intact."""
    heads = AuditChainHead.objects.in_bulk()
    if events is None:
        events = AuditEvent.objects.order_by("chain", "seq").iterator(chunk_size=2000)
    walked: dict[int, tuple[int, str]] = {}  # chain: its last seq and hash
    for event in events:
        last_seq, prev = walked.get(event.chain, (0, GENESIS))
        if problem := link_problem(event, last_seq + 1, prev):
            return problem
        walked[event.chain] = (event.seq, event.hash)
    for chain, (last_seq, last_hash) in walked.items():
        if problem := head_problem(chain, last_seq, last_hash, heads):
            return problem
    for head in heads.values():
        if head.seq and head.pk not in walked:
            return ChainProblem(head.pk, 1,
                                f"第 {head.pk} 链的全部 {head.seq} 个审计事件缺失（已被删除）")
    for checkpoint in checkpoints:
        if problem := verify_checkpoint(checkpoint):
            return problem
    return None


# ---------------------------------------------------------------- checkpoints

_CHECKPOINT_FIELDS = ("format", "heads", "at", "key_id", "exported_by")


def checkpoint_signature(checkpoint: dict) -> str:
    return _mac(checkpoint["key_id"], "checkpoint", {f: checkpoint[f] for f in _CHECKPOINT_FIELDS})


@transaction.atomic(durable=True)
def audit_checkpoint_create(*, actor) -> dict:
    """A signed statement of every chain's head (sequence number and hash) to keep outside
    the database; `audit_verify --checkpoint` later proves the trail still holds them. The
    command line acts as `system_actor("audit_checkpoint")`. The export itself is audited,
    after the checkpointed events."""
    require(actor, "core.export_auditevent", message="只有审计管理员可以导出审计检查点")
    heads = [[head.pk, head.seq, head.hash] for head in locked(AuditChainHead.objects.all())
             if head.seq]
    checkpoint = {
        "format": CHECKPOINT_FORMAT,
        "heads": heads,
        "at": timezone.now().astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "key_id": settings.AUDIT_KEY_ID,
        "exported_by": actor.username,
    }
    checkpoint["signature"] = checkpoint_signature(checkpoint)
    audit_record(actor=actor, action=CoreAction.AUDIT_CHECKPOINT, object_type="core.auditevent",
                 changes={"heads": heads})
    return checkpoint


def verify_checkpoint(checkpoint: dict) -> ChainProblem | None:
    """Whether the trail still holds the events a checkpoint names, with the same hashes."""
    try:
        heads = [(int(c), int(n), str(h)) for c, n, h in checkpoint["heads"]]
        signature = str(checkpoint["signature"])
        expected = checkpoint_signature(checkpoint)
    except UnknownAuditKey:
        key_id = checkpoint.get("key_id")
        return ChainProblem(0, 0, f"检查点的密钥编号「{key_id}」不在配置的审计密钥中")
    except (KeyError, TypeError, ValueError):
        return ChainProblem(0, 0, "检查点文件格式不正确")
    if checkpoint["format"] != CHECKPOINT_FORMAT or not hmac.compare_digest(expected, signature):
        return ChainProblem(0, 0, "检查点签名不符（检查点文件被改动或不是本系统导出）")
    when = checkpoint["at"]
    for chain, seq, hash_ in heads:
        name = event_number(chain, seq)
        stored = AuditEvent.objects.filter(chain=chain, seq=seq).values_list("hash", flat=True)
        if not stored:
            return ChainProblem(chain, seq,
                                f"{when} 导出的检查点记录的{name}已不存在（审计链被截断）")
        if stored[0] != hash_:
            return ChainProblem(chain, seq, f"{name}与 {when} 导出的检查点不符（审计链被重写）")
    return None
