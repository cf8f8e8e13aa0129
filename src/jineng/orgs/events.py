"""The audit action types of organisations, accounts and sign-in (see core/events.py)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from jineng.core.events import register


@register
class OrgsAction(models.TextChoices):
    LOGIN = "login", _("登录")
    LOGIN_FAILED = "login_failed", _("登录失败")
    LOGIN_REFUSED_LOCKED = "login_refused_locked", _("登录被拒（账号已锁定）")
    LOGIN_REFUSED_THROTTLED = "login_refused_throttled", _("登录被拒（本机失败过多）")
    LOGOUT = "logout", _("退出登录")
    LOGOUT_IDLE = "logout_idle", _("空闲超时退出")
    CHANGE_PASSWORD = "change_password", _("修改本人密码")
    RESET_PASSWORD = "reset_password", _("重置密码")
    UNLOCK = "unlock", _("解除锁定")
    BOOTSTRAP_ADMIN = "bootstrap_admin", _("创建三员账号")
    LOAD_DIVISIONS = "load_divisions", _("载入行政区划")
    REVOKE = "revoke", _("吊销令牌")
