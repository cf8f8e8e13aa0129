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
    return qs.order_by("-id")


def audit_chain_tail(*, user, size: int = 1000) -> dict | None:
    """The trail's status the audit administrator's home shows: the latest `size` events,
    each chain's of them checked link by link against its head (the whole trail:
    `jineng audit_verify`)."""
    from jineng.core.audit import head_problem, link_problem
    from jineng.core.models import AuditChainHead

    if not user.has_permission("core.view_auditevent"):
        return None
    heads = AuditChainHead.objects.in_bulk()
    events = sorted(AuditEvent.objects.order_by("-id")[:size], key=lambda e: (e.chain, e.seq))
    walked: dict[int, tuple[int, str]] = {}
    problem = None
    for event in events:
        # the oldest event checked of a chain: its own hash, not its link to the one before
        last_seq, prev = walked.get(event.chain, (event.seq - 1, event.prev_hash))
        if problem := link_problem(event, last_seq + 1, prev):
            break
        walked[event.chain] = (event.seq, event.hash)
    for chain, (seq, hash_) in walked.items():
        problem = problem or head_problem(chain, seq, hash_, heads)
    return {"checked": len(events), "last_id": max((e.id for e in events), default=0),
            "problem": problem.message if problem else ""}
