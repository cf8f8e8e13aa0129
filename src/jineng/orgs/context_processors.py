from django.urls import NoReverseMatch, reverse

from jineng.core.menu import all_menu_entries, shown_to


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
