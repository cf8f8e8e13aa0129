from django.utils.translation import gettext_lazy as _

from jineng.core.menu import ANYONE, Entry

MENU = [
    Entry(_("公开查询"), _("补贴性培训职业目录"), "portal:catalogue", None, ANYONE),
]
