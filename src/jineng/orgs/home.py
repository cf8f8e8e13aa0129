"""Home panels of the organisations app: the scope of a bureau officer, the institution of
its operator, the accounts of the system and security administrators."""

from django.urls import reverse
from django.utils.translation import gettext as _

from jineng.core.home import HomePanel, Panel, Stat
from jineng.core.menu import BUREAU, Entry, shown_to
from jineng.orgs import selectors


def _scope(user) -> Panel | None:
    if not shown_to(user, Entry("", "", "", "orgs.view_institution", BUREAU)):
        return None
    counts = selectors.scope_counts(user=user)
    return Panel(_("管辖范围"), stats=[
        Stat(_("机构"), counts["institutions"], reverse("orgs:institution_list"), "institutions"),
        Stat(_("下级地区"), counts["regions_below"], "", "regions"),
        Stat(_("责任单位"), counts["departments"], reverse("orgs:department_list"),
             "departments"),
    ])


def _institution(user) -> Panel | None:
    institution = selectors.own_institution(user=user)
    if institution is None:
        return None
    return Panel(_("本机构"), notes=[
        f"{institution.name}（{institution.get_kind_display()}，"
        f"{institution.get_status_display()}）",
        _("所在地区：%(region)s") % {"region": institution.region.name},
    ], links=[(_("机构信息"), reverse("orgs:institution_list"))])


def _accounts(user) -> Panel | None:
    if not (user.has_permission("orgs.add_user") or user.has_permission("orgs.unlock_user")):
        return None
    counts = selectors.account_counts(user=user)
    return Panel(_("账号"), stats=[
        Stat(_("启用的账号"), counts["users"], reverse("orgs:user_list"), "users"),
        Stat(_("已锁定"), counts["locked"], reverse("orgs:user_list"), "locked"),
        Stat(_("待修改初始密码"), counts["must_change"], "", "must-change"),
    ])


PANELS = [
    HomePanel("institution", 15, _institution),
    HomePanel("scope", 30, _scope),
    HomePanel("accounts", 40, _accounts),
]
