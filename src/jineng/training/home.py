"""Home panel of training: designations in the user's scope, those awaiting review."""

from django.urls import reverse
from django.utils.translation import gettext as _

from jineng.core.home import HomePanel, Panel, Stat
from jineng.core.menu import STAFF, Entry, shown_to
from jineng.training import selectors
from jineng.training.models import DesignationStatus


def _designations(user) -> Panel | None:
    if not shown_to(user, Entry("", "", "", "training.view_designation", STAFF)):
        return None
    designations = selectors.designation_list(user=user)
    url = reverse("training:designation_list")
    return Panel(_("定点培训机构"), stats=[
        Stat(_("定点"), designations.filter(status=DesignationStatus.DESIGNATED).count(),
             f"{url}?status=designated", "designated"),
        Stat(_("待审核"), designations.filter(status=DesignationStatus.APPLIED).count(),
             f"{url}?status=applied", "applied"),
    ])


PANELS = [HomePanel("designations", 20, _designations)]
