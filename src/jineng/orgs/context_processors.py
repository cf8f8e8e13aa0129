from importlib import import_module

from django.apps import apps
from django.urls import NoReverseMatch, reverse
from django.utils.module_loading import module_has_submodule

from jineng.core.menu import Entry, ReferenceEntry, shown_to


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


def navigation(request):
    """The left menu: the entries of every app's `menu.MENU` meant for this user's roles."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    sections: dict[str, list] = {}
    for entry in all_menu_entries():
        if not shown_to(user, entry):
            continue
        try:
            url = reverse(entry.url_name)
        except NoReverseMatch:
            continue
        sections.setdefault(str(entry.section), []).append(
            {"label": entry.label, "url": url, "active": request.path.startswith(url)}
        )
    return {"menu_sections": sections.items()}
