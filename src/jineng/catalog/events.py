"""The audit action types of the catalogue and policy tables (see core/events.py)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from jineng.core.events import register


@register
class CatalogAction(models.TextChoices):
    IMPORT_EDITION = "import_edition", _("导入职业分类大典")
    PUBLISH = "publish", _("发布政策版本")
    CLOSE = "close", _("截止政策版本（修订）")
