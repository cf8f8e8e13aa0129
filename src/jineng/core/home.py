"""The home page is a set of panels each app contributes (`<app>/home.py` with `PANELS`),
as the menu is: an app that lands adds its panel without editing a central file."""

from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import import_module

from django.apps import apps
from django.utils.module_loading import module_has_submodule


@dataclass(frozen=True)
class Stat:
    label: str
    value: int | str
    url: str = ""
    key: str = ""


@dataclass(frozen=True)
class Line:
    text: str
    meta: str = ""
    url: str = ""


@dataclass
class Panel:
    title: str
    stats: list[Stat] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    links: list[tuple[str, str]] = field(default_factory=list)
    empty_text: str = ""
    key: str = ""


@dataclass(frozen=True)
class HomePanel:
    """`build(user)` returns the panel for this user, or None when it does not concern them."""

    key: str
    order: int
    build: Callable[..., Panel | None]


def _all_panels() -> list[HomePanel]:
    panels = []
    for config in apps.get_app_configs():
        if config.name.startswith("jineng.") and module_has_submodule(config.module, "home"):
            panels.extend(import_module(f"{config.name}.home").PANELS)
    return sorted(panels, key=lambda p: (p.order, p.key))


def home_panels(user) -> list[Panel]:
    out = []
    for spec in _all_panels():
        panel = spec.build(user)
        if panel is not None:
            panel.key = spec.key
            out.append(panel)
    return out


# ---------------------------------------------------------------- the audit trail's panel


def _audit(user) -> Panel | None:
    from django.urls import reverse
    from django.utils import timezone
    from django.utils.translation import gettext as _

    from jineng.core import selectors
    from jineng.core.actors import actor_label
    from jineng.core.events import action_label, object_type_label

    chain = selectors.audit_chain_tail(user=user)
    if chain is None:
        return None
    if chain["problem"]:
        status = _("审计链异常：%(problem)s") % {"problem": chain["problem"]}
    else:
        status = _("审计链完整：最近 %(n)s 个事件已逐一核对哈希") % {"n": chain["checked"]}
    events = selectors.audit_event_list(user=user).order_by("-id")[:10]
    return Panel(_("审计"), notes=[status], lines=[
        Line(f"{actor_label(e.actor_name)} · {action_label(e.action)} · "
             f"{e.object_repr or object_type_label(e.object_type)}",
             timezone.localtime(e.at).strftime("%Y-%m-%d %H:%M:%S"),
             reverse("core:audit_list") + f"?object_type={e.object_type}&object_id={e.object_id}")
        for e in events
    ], links=[(_("审计日志"), reverse("core:audit_list"))], empty_text=_("暂无审计事件"))


def _reviews(user) -> Panel | None:
    from django.urls import reverse
    from django.utils.translation import gettext as _

    from jineng.core.review import holds_review_permission, review_count_for

    if not holds_review_permission(user):
        return None
    count = review_count_for(user)
    return Panel(_("审核"), stats=[
        Stat(_("待我审核"), count, reverse("core:review_queue"), "review-queue")],
        notes=[_("待我审核 %(n)s 件") % {"n": count}])


PANELS = [HomePanel("reviews", 5, _reviews), HomePanel("audit", 50, _audit)]
