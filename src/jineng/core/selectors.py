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
