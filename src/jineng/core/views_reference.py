from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from jineng.core.menu import all_reference_entries


@login_required
def reference_view(request):
    """参考数据: every reference table the user may read, in one place."""
    entries = [
        {"label": e.label, "url": reverse(e.url_name),
         "maintains": bool(e.maintain) and request.user.has_permission(e.maintain)}
        for e in all_reference_entries() if request.user.has_permission(e.permission)
    ]
    return render(request, "core/reference.html", {"title": _("参考数据"), "entries": entries})
