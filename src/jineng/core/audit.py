"""The audit trail: append an event, and verify the hash chain.

Every service write calls `audit_record` inside its transaction, so the event and the change
commit or roll back together. Events are chained: each hash covers the event's fields and the
previous hash, and `AuditChainHead` holds the last one, so an altered, removed or truncated
event is found by `audit_verify`.
"""

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.utils import timezone

from jineng.core import context
from jineng.core.models import AuditChainHead, AuditEvent

GENESIS = "0" * 64
HASHED_FIELDS = (
    "seq", "at", "actor_id", "actor_name", "action", "object_type", "object_id",
    "object_repr", "changes", "request_id", "ip", "prev_hash",
)


def _normalise(value):
    """JSON as the database will give it back (dates as strings, keys sorted)."""
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder, sort_keys=True))


def event_hash(event: AuditEvent) -> str:
    data = {f: getattr(event, f) for f in HASHED_FIELDS}
    data["at"] = event.at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    payload = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"),
                         cls=DjangoJSONEncoder)
    return hashlib.sha256(payload.encode()).hexdigest()


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
    """Append one event. Call inside the transaction of the change it records."""
    if obj is not None:
        object_type, object_id, object_repr = object_label(obj)
    ctx = context.current()
    with transaction.atomic():
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(pk=1)
        event = AuditEvent(
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
    seq: int
    message: str


def _label(event: AuditEvent) -> str:
    """How the event reads now (its stored fields may be the altered ones)."""
    at = timezone.localtime(event.at).strftime("%Y-%m-%d %H:%M:%S")
    return f"{at} {event.actor_name or '-'} {event.action} {event.object_type}:{event.object_id}"


def verify_chain(events: Iterator[AuditEvent] | None = None) -> ChainProblem | None:
    """Walk the chain in order; the first altered or missing event, or None if intact."""
    if events is None:
        events = AuditEvent.objects.order_by("seq").iterator(chunk_size=2000)
    expected_seq, prev = 1, GENESIS
    for event in events:
        if event.seq != expected_seq:
            return ChainProblem(expected_seq, f"第 {expected_seq} 号审计事件缺失（已被删除）")
        if event.prev_hash != prev:
            return ChainProblem(
                event.seq, f"第 {event.seq} 号审计事件的前序哈希不符，链条被改动（{_label(event)}）"
            )
        if event_hash(event) != event.hash:
            return ChainProblem(
                event.seq, f"第 {event.seq} 号审计事件的内容被篡改（{_label(event)}）"
            )
        prev, expected_seq = event.hash, expected_seq + 1
    head = AuditChainHead.objects.filter(pk=1).first()
    last_seq = expected_seq - 1
    if head and (head.seq != last_seq or head.hash != prev):
        return ChainProblem(last_seq + 1, f"第 {last_seq + 1} 号及之后的审计事件缺失（已被删除）")
    return None
