"""Home panel of evaluation: filings and plans in the user's scope, by what waits to be done."""

from django.db.models import Count
from django.urls import reverse
from django.utils.translation import gettext as _

from jineng.core.home import HomePanel, Panel, Stat
from jineng.core.menu import STAFF, Entry, shown_to
from jineng.evaluation import selectors
from jineng.evaluation.models import FilingStatus, PlanStatus


def _counts(qs) -> dict:
    return dict(qs.order_by().values_list("status").annotate(n=Count("id")))


def _evaluation(user) -> Panel | None:
    filings = shown_to(user, Entry("", "", "", "evaluation.view_bodyfiling", STAFF))
    plans = shown_to(user, Entry("", "", "", "evaluation.view_evaluationplan", STAFF))
    if not (filings or plans):
        return None
    stats = []
    if filings:
        counts = _counts(selectors.filing_list(user=user))
        url = reverse("evaluation:filing_list")
        stats += [Stat(_("已备案评价机构"), counts.get(FilingStatus.FILED, 0),
                       f"{url}?status=filed", "filed"),
                  Stat(_("备案待审核"), counts.get(FilingStatus.APPLIED, 0),
                       f"{url}?status=applied", "filing-applied")]
    if plans:
        counts = _counts(selectors.plan_list(user=user))
        url = reverse("evaluation:plan_list")
        stats += [Stat(_("考核计划待审核"), counts.get(PlanStatus.FILED, 0),
                       f"{url}?status=filed", "plan-filed"),
                  Stat(_("待录入成绩"), counts.get(PlanStatus.APPROVED, 0),
                       f"{url}?status=approved", "plan-approved"),
                  Stat(_("成绩待发布"), counts.get(PlanStatus.HELD, 0),
                       f"{url}?status=held", "plan-held")]
    return Panel(_("评价与证书"), stats=stats)


PANELS = [HomePanel("evaluation", 25, _evaluation)]
