from django.utils.translation import gettext_lazy as _

from jineng.core.menu import Entry, ReferenceEntry

MENU = [
    Entry(_("组织机构"), _("责任单位"), "orgs:department_list", "orgs.view_department"),
    Entry(_("组织机构"), _("机构"), "orgs:institution_list", "orgs.view_institution"),
    Entry(_("系统管理"), _("用户"), "orgs:user_list", "orgs.view_user"),
    Entry(_("系统管理"), _("角色"), "orgs:role_list", "orgs.view_role"),
    Entry(_("系统管理"), _("安全策略"), "orgs:security_policy", "orgs.view_securitypolicy"),
]

REFERENCE = [
    ReferenceEntry(_("行政区划"), "orgs:region_list", "orgs.view_region", "orgs.change_region"),
]
