from importlib import import_module

from django.apps import apps
from django.urls import NoReverseMatch, reverse
from django.utils.module_loading import module_has_submodule


def _all_menu_entries():
    entries = []
    for config in apps.get_app_configs():
        if config.name.startswith("jineng.") and module_has_submodule(config.module, "menu"):
            entries.extend(import_module(f"{config.name}.menu").MENU)
    return entries


def navigation(request):
    """The left menu: the entries of every app's `menu.MENU` that the user's roles grant."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    sections: dict[str, list] = {}
    for section, label, url_name, permission in _all_menu_entries():
        if not user.has_permission(permission):
            continue
        try:
            url = reverse(url_name)
        except NoReverseMatch:
            continue
        sections.setdefault(str(section), []).append(
            {"label": label, "url": url, "active": request.path.startswith(url)}
        )
    return {"menu_sections": sections.items()}
