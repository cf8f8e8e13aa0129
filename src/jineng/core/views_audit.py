from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jineng.core.selectors import audit_event_list
from jineng.core.views import Column, Filter, ScopedListPage


class AuditEventList(ScopedListPage):
    """The audit administrator's search over the trail."""

    title = _("审计日志")
    permission = "core.view_auditevent"
    export_permission = "core.export_auditevent"
    selector = audit_event_list
    object_type = "core.auditevent"
    filters = [
        Filter("actor", _("操作人")),
        Filter("event", _("操作")),
        Filter("object_type", _("对象类型")),
        Filter("object_id", _("对象ID")),
        Filter("since", _("起始日期（YYYY-MM-DD）")),
        Filter("until", _("截止日期（YYYY-MM-DD）")),
    ]
    columns = [
        Column(_("序号"), lambda e: e.seq),
        Column(_("时间"), lambda e: timezone.localtime(e.at).strftime("%Y-%m-%d %H:%M:%S")),
        Column(_("操作人"), lambda e: e.actor_name),
        Column(_("操作"), lambda e: e.action),
        Column(_("对象类型"), lambda e: e.object_type),
        Column(_("对象ID"), lambda e: e.object_id),
        Column(_("对象"), lambda e: e.object_repr),
        Column(_("变更"), lambda e: _changes(e.changes)),
        Column(_("IP"), lambda e: e.ip),
        Column(_("请求ID"), lambda e: e.request_id),
    ]


def _changes(changes: dict) -> str:
    return "；".join(f"{k}: {v}" for k, v in changes.items())[:300]
