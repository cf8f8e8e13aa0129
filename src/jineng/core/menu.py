from django.utils.translation import gettext_lazy as _

MENU = [
    (_("系统管理"), _("审计日志"), "core:audit_list", "core.view_auditevent"),
]
