from jineng.core.selectors import audit_event_list
from jineng.core.views import Column, Filter, ScopedListPage


class AuditEventList(ScopedListPage):
    """The audit administrator's search over the trail."""

    title = "审计日志"
    permission = "core.view_auditevent"
    export_permission = "core.export_auditevent"
    selector = audit_event_list
    object_type = "core.auditevent"
    filters = [
        Filter("actor", "操作人"),
        Filter("event", "操作"),
        Filter("object_type", "对象类型"),
        Filter("object_id", "对象ID"),
        Filter("since", "起始日期（YYYY-MM-DD）"),
        Filter("until", "截止日期（YYYY-MM-DD）"),
    ]
    columns = [
        Column("序号", lambda e: e.seq),
        Column("时间", lambda e: e.at.astimezone().strftime("%Y-%m-%d %H:%M:%S")),
        Column("操作人", lambda e: e.actor_name),
        Column("操作", lambda e: e.action),
        Column("对象类型", lambda e: e.object_type),
        Column("对象ID", lambda e: e.object_id),
        Column("对象", lambda e: e.object_repr),
        Column("变更", lambda e: _changes(e.changes)),
        Column("IP", lambda e: e.ip),
        Column("请求ID", lambda e: e.request_id),
    ]


def _changes(changes: dict) -> str:
    return "；".join(f"{k}: {v}" for k, v in changes.items())[:300]
