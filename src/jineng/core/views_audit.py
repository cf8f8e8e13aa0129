from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jineng.core.actors import actor_label
from jineng.core.events import (
    action_choices,
    action_label,
    change_label,
    object_type_choices,
    object_type_label,
)
from jineng.core.selectors import audit_event_list
from jineng.core.views import Column, Filter, ScopedListPage


class AuditEventList(ScopedListPage):
    """The audit administrator's search over the trail, in words: actions, object types and
    changed fields by their Chinese names, chosen from lists rather than typed as codes."""

    title = _("审计日志")
    permission = "core.view_auditevent"
    export_permission = "core.export_auditevent"
    selector = audit_event_list
    object_type = "core.auditevent"
    columns = [
        Column(_("链·序号"), lambda e: f"{e.chain}·{e.seq}"),
        Column(_("时间"), lambda e: timezone.localtime(e.at).strftime("%Y-%m-%d %H:%M:%S")),
        Column(_("操作人"), lambda e: actor_label(e.actor_name)),
        Column(_("操作"), lambda e: action_label(e.action)),
        Column(_("对象类型"), lambda e: object_type_label(e.object_type)),
        Column(_("对象ID"), lambda e: e.object_id),
        Column(_("对象"), lambda e: e.object_repr),
        Column(_("变更"), lambda e: _changes(e.object_type, e.changes)),
        Column(_("IP"), lambda e: e.ip),
        Column(_("请求ID"), lambda e: e.request_id),
    ]

    def get_filters(self, request) -> list[Filter]:
        # Built per request: the labels follow the reader's language.
        return [
            Filter("actor", _("操作人（用户名）")),
            Filter("event", _("操作"), choices=action_choices()),
            Filter("object_type", _("对象类型"), choices=object_type_choices()),
            Filter("object_id", _("对象ID")),
            Filter("since", _("起始日期（YYYY-MM-DD）")),
            Filter("until", _("截止日期（YYYY-MM-DD）")),
        ]


def _field_label(object_type: str, name: str) -> str:
    try:
        field = apps.get_model(object_type)._meta.get_field(name)
    except (LookupError, ValueError, FieldDoesNotExist):
        return change_label(name) or name
    if field.auto_created and not field.concrete:  # a reverse relation: the records it holds
        return change_label(name) or str(field.related_model._meta.verbose_name)
    return str(getattr(field, "verbose_name", name))


def _changes(object_type: str, changes: dict) -> str:
    return "；".join(f"{_field_label(object_type, k)}: {v}" for k, v in changes.items())[:300]
