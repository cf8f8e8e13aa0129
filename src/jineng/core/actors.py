"""The system as an actor: commands and preset loads act as `system_actor("<task>")`, which
services accept wherever they take a user. It holds every permission over all data, so no
service needs a "skip the permission check" flag, and its writes are audited as the system
and the task (actor name "system:<task>", no user id).

Only code can make one: nothing a request carries becomes a SystemActor, and a username
cannot contain ":" (orgs refuses it), so no account's events read as the system's."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from jineng.core.scope import Grant, ScopeKind

SYSTEM_PREFIX = "system:"

# Every task that may act as the system, with the name the audit page shows.
SYSTEM_TASKS = {
    "presets": _("载入政策预置数据"),
    "loaddemo": _("载入演示数据"),
    "load_regions": _("载入行政区划"),
    "import_occupations": _("导入职业分类大典"),
    "import_people": _("命令行导入花名册"),
    "bootstrap_admin": _("创建三员账号"),
    "create_token": _("命令行创建接口令牌"),
    "audit_checkpoint": _("命令行导出审计检查点"),
}

_ALL = (Grant(kind=ScopeKind.ALL),)


@dataclass(frozen=True)
class SystemActor:
    task: str

    pk = id = None
    region = region_id = institution = institution_id = department_id = None
    is_active = is_authenticated = True
    is_anonymous = False

    def __post_init__(self):
        if self.task not in SYSTEM_TASKS:
            raise ValueError(f"未登记的系统任务「{self.task}」")

    @property
    def username(self) -> str:
        return f"{SYSTEM_PREFIX}{self.task}"

    def has_permission(self, code: str) -> bool:
        return True

    def grants_for(self, code: str) -> tuple[Grant, ...]:
        return _ALL

    def __str__(self):
        return actor_label(self.username)


def system_actor(task: str) -> SystemActor:
    return SystemActor(task)


def is_system(actor) -> bool:
    return isinstance(actor, SystemActor)


def user_or_none(actor):
    """The actor as a foreign key to a user: None for the system."""
    return None if is_system(actor) else actor


def actor_label(actor_name: str) -> str:
    """How an audit event's actor reads: a username, 系统（task） for the system, 匿名 for
    no one signed in (a failed sign-in under an unknown name)."""
    if actor_name.startswith(SYSTEM_PREFIX):
        task = actor_name.removeprefix(SYSTEM_PREFIX)
        return f"{_('系统')}（{SYSTEM_TASKS.get(task, task)}）"
    return actor_name or str(_("匿名"))
