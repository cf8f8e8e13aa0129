"""The audit action types of the real-name registry (see core/events.py)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from jineng.core.events import register


@register
class PeopleAction(models.TextChoices):
    LINK_USER = "link_user", _("关联劳动者账号")
    VIEW_SENSITIVE = "view_sensitive", _("查看完整证件号码或手机号")
    REVEAL_REFUSED = "reveal_refused", _("查看完整证件号码被拒绝")
    LOOKUP_PERSON = "lookup_person", _("按证件号码查找人员")
    IMPORT = "import", _("导入花名册")
    IMPORT_START = "import_start", _("开始导入花名册")
    IMPORT_BATCH = "import_batch", _("导入花名册：提交一批")
