from django.utils.translation import gettext_lazy as _

# (section, label, url name, permission)
MENU = [
    (_("组织机构"), _("行政区划"), "orgs:region_list", "orgs.view_region"),
    (_("组织机构"), _("责任单位"), "orgs:department_list", "orgs.view_department"),
    (_("组织机构"), _("机构"), "orgs:institution_list", "orgs.view_institution"),
    (_("系统管理"), _("用户"), "orgs:user_list", "orgs.view_user"),
    (_("系统管理"), _("角色"), "orgs:role_list", "orgs.view_role"),
    (_("系统管理"), _("安全策略"), "orgs:security_policy", "orgs.view_securitypolicy"),
]
