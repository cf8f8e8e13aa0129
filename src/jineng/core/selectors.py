import datetime as dt

from django.db.models import QuerySet
from django.utils import timezone

from jineng.core.models import AuditEvent


def _day(value: str, end: bool = False):
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        return None
    moment = dt.datetime.combine(day + dt.timedelta(days=1) if end else day, dt.time())
    return timezone.make_aware(moment)


def audit_event_list(*, user, q: str = "", actor: str = "", event: str = "",
                     object_type: str = "", object_id: str = "", since: str = "",
                     until: str = "", action: str = "view") -> QuerySet[AuditEvent]:
    """Events by actor, object, event (the audited action) and time; `action` is the scope
    action, as in every selector. Only a role that grants audit reading sees any."""
    qs = AuditEvent.objects.restrict(user, action)
    if q:
        qs = qs.filter(object_repr__contains=q)
    if actor:
        qs = qs.filter(actor_name=actor)
    if event:
        qs = qs.filter(action=event)
    if object_type:
        qs = qs.filter(object_type=object_type)
    if object_id:
        qs = qs.filter(object_id=object_id)
    if since and (start := _day(since)):
        qs = qs.filter(at__gte=start)
    if until and (end := _day(until, end=True)):
        qs = qs.filter(at__lt=end)
    return qs.order_by("-seq")


def audit_chain_tail(*, user, size: int = 1000) -> dict | None:
    """The chain status the audit administrator's home shows: the latest `size` events
    checked link by link against the chain head (the whole chain: `jineng audit_verify`)."""
    from jineng.core.audit import event_hash
    from jineng.core.models import AuditChainHead

    if not user.has_permission("core.view_auditevent"):
        return None
    events = list(AuditEvent.objects.order_by("-seq")[:size])[::-1]
    head = AuditChainHead.objects.filter(pk=1).first()
    problem = ""
    for before, event in zip([None, *events], events, strict=False):
        if before is not None and (event.seq != before.seq + 1 or event.prev_hash != before.hash):
            problem = f"第 {event.seq} 号审计事件与前一事件不相连"
        elif event_hash(event) != event.hash:
            problem = f"第 {event.seq} 号审计事件的内容被篡改"
        if problem:
            break
    if not problem and events and head and (head.seq, head.hash) != (events[-1].seq,
                                                                      events[-1].hash):
        problem = f"第 {events[-1].seq + 1} 号及之后的审计事件缺失"
    return {"checked": len(events), "last_seq": events[-1].seq if events else 0,
            "problem": problem}
