"""Menu entries. Each app's `menu.py` holds `MENU` (entries of the left menu) and may hold
`REFERENCE` (reference data: listed on one page, 参考数据, shown in the menu to those who
maintain some of it)."""

from collections.abc import Callable
from importlib import import_module
from typing import NamedTuple

from django.apps import apps
from django.utils.module_loading import module_has_submodule
from django.utils.translation import gettext_lazy as _

from jineng.core.scope import ScopeKind

# Who an entry is for, by the kind of scope under which the user holds its permission.
STAFF = "staff"      # any scope but the user's own record (a list of one is no use)
BUREAU = "bureau"    # bureaux and departments: neither an institution's nor a worker's own
WORKER = "worker"    # only those who hold it for themselves (a worker's own pages)
ANYONE = "anyone"    # every signed-in user (permission None)

_AUDIENCE_KINDS = {
    STAFF: set(ScopeKind.values) - {ScopeKind.SELF},
    BUREAU: set(ScopeKind.values) - {ScopeKind.SELF, ScopeKind.OWN_INSTITUTION},
    WORKER: {ScopeKind.SELF},
}


class Entry(NamedTuple):
    section: str
    label: str
    url_name: str
    permission: str | None | Callable   # a code, None (anyone), or user -> bool
    audience: str = STAFF


class ReferenceEntry(NamedTuple):
    label: str
    url_name: str
    permission: str          # to read it
    maintain: str = ""       # a permission that changes it: who "maintains" it


def scope_kinds(user, permission: str) -> set[str]:
    """The kinds of scope under which the user's roles grant a permission."""
    return {role.scope_kind for role in user.active_roles() if role.grants(permission)}


def shown_to(user, entry: Entry) -> bool:
    if entry.audience == ANYONE or entry.permission is None:
        return True
    if callable(entry.permission):
        return entry.permission(user)
    kinds = scope_kinds(user, entry.permission)
    if entry.audience == WORKER:
        return bool(kinds) and kinds <= _AUDIENCE_KINDS[WORKER]
    return bool(kinds & _AUDIENCE_KINDS[entry.audience])


def _app_menus():
    for config in apps.get_app_configs():
        if config.name.startswith("jineng.") and module_has_submodule(config.module, "menu"):
            yield import_module(f"{config.name}.menu")


def all_menu_entries() -> list[Entry]:
    return [Entry(*e) for m in _app_menus() for e in m.MENU]


def all_reference_entries() -> list[ReferenceEntry]:
    return [ReferenceEntry(*e) for m in _app_menus() for e in getattr(m, "REFERENCE", [])]


def maintains_reference(user) -> bool:
    return any(e.maintain and user.has_permission(e.maintain) for e in all_reference_entries())


def reviews_anything(user) -> bool:
    from jineng.core.review import holds_review_permission

    return holds_review_permission(user)


MENU = [
    Entry(_("审核"), _("待我审核"), "core:review_queue", reviews_anything),
    Entry(_("审核"), _("审核流程"), "core:review_chains", "core.view_reviewchain", BUREAU),
    Entry(_("目录与政策"), _("参考数据"), "core:reference", maintains_reference),
    Entry(_("系统管理"), _("审计日志"), "core:audit_list", "core.view_auditevent"),
]
