"""Scoped reads of the registry, and the sections of the lifelong archive.

Later apps add their section to the archive (终身职业技能培训电子档案) from their AppConfig.ready:

    from jineng.people.selectors import ArchiveSection, register_archive_section

    register_archive_section(ArchiveSection(
        key="training", title="培训记录", order=10,
        columns=["班级", "职业（工种）", "等级", "结业日期"],
        rows=lambda person, user: [...],  # each row a list of display values, scoped to user
    ))

A registered section replaces the placeholder of the same key; sections without rows show
"暂无记录".
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.utils.translation import gettext

from jineng.orgs.models import Region, TargetGroup
from jineng.orgs.target_groups import target_group_names, with_target_group_names
from jineng.people.events import PeopleAction
from jineng.people.models import Person, PersonChange
from jineng.people.services import FIELD_LABELS, identity_search_hashes


def looks_like_id_number(text: str) -> bool:
    """A search text `person_list` reads as an identity number rather than a name."""
    return sum(c.isdigit() for c in text or "") >= 6


def person_list(*, user, q: str = "", id_number: str = "", name: str = "",
                region_code: str = "", target_group: str = "", doc_type: str = "",
                action: str = "view") -> QuerySet[Person]:
    """People in the user's scope. `id_number` is an exact match through the keyed hash (any
    disguise of the number works); `q` is a number if it looks like one, else a name prefix;
    `region_code` matches the household or residence region and everything below it."""
    qs = with_target_group_names(
        Person.objects.restrict(user, action).select_related("household_region",
                                                             "residence_region")
    )
    q = (q or "").strip()
    if looks_like_id_number(q):
        id_number, q = id_number or q, ""
    if id_number:
        qs = qs.filter(id_hash__in=identity_search_hashes(id_number))
    name = (name or q or "").strip()
    if name:
        qs = qs.filter(name__startswith=name)
    if region_code:
        region = Region.objects.filter(code=region_code.strip()).only("path").first()
        if region is None:
            return qs.none()
        qs = qs.filter(Q(household_region__path__startswith=region.path)
                       | Q(residence_region__path__startswith=region.path))
    if target_group:
        qs = qs.filter(target_groups__has=target_group.strip())
    if doc_type:
        qs = qs.filter(doc_type=doc_type)
    return qs.order_by("-id")


def person_get(*, user, pk, action: str = "view") -> Person:
    """One person through the restricted queryset (NotFound if missing or out of scope)."""
    from jineng.core.scope import get_restricted

    qs = with_target_group_names(Person.objects.select_related(
        "household_region", "residence_region", "registered_by", "user"))
    return get_restricted(qs, user, action, pk=pk)


def person_of_user(*, user) -> Person | None:
    """The person a worker's login is linked to (through the same scope)."""
    if not getattr(user, "is_authenticated", False):
        return None
    return with_target_group_names(
        Person.objects.restrict(user, "view").filter(user=user)
        .select_related("household_region", "residence_region", "registered_by", "user")
    ).first()


def person_group_names(person: Person) -> list[str]:
    """The names of a person's target groups, in the groups' order: annotated by the
    selectors above (no query), else looked up."""
    return target_group_names(person)


def self_only(user) -> bool:
    """Whether the user sees people only as themself (a worker)."""
    from jineng.core.scope import user_reach

    return user_reach(user, "people.view_person").only_self


def target_group_list(*, user, q: str = "", is_active: bool | None = None,
                      action: str = "view") -> QuerySet[TargetGroup]:
    qs = TargetGroup.objects.restrict(user, action)
    if q:
        qs = qs.filter(Q(name__contains=q) | Q(code__icontains=q))
    if is_active is not None:
        qs = qs.filter(is_active=is_active)
    return qs.order_by("sort_order", "code")


def active_target_groups() -> QuerySet[TargetGroup]:
    """The choices offered when registering someone (reference data, not scoped)."""
    return TargetGroup.objects.filter(is_active=True).order_by("sort_order", "code")


# ---------------------------------------------------------------- history


@dataclass(frozen=True)
class ChangeLine:
    label: str
    old: str
    new: str


def _display(value) -> str:
    if value in (None, "", []):
        return "—"
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    return str(value)


def person_change_list(*, user, person: Person) -> QuerySet[PersonChange]:
    """The person's changes the user may see, newest first."""
    return PersonChange.objects.restrict(user, "view").filter(person=person).order_by("-at", "-id")


def person_history(*, user, person: Person, limit: int = 200) -> list[dict]:
    """The person's changes, newest first, ready to show: who, when, source, field lines."""
    order = {k: i for i, k in enumerate(FIELD_LABELS)}
    out = []
    rows = list(person_change_list(user=user, person=person)[:limit])
    actors = _actors({c.actor_id for c in rows})
    for change in rows:
        items = sorted((change.changes or {}).items(), key=lambda kv: order.get(kv[0], 99))
        lines = [
            ChangeLine(FIELD_LABELS.get(k, k), _display(v[0]), _display(v[1]))
            for k, v in items if isinstance(v, list) and len(v) == 2
        ]
        out.append({"change": change, "lines": lines, "source": source_label(change.source),
                    "organisation": organisation_of(actors.get(change.actor_id), person=person)})
    return out


def source_label(source: str) -> str:
    if source.startswith("import:"):
        return f"花名册导入 #{source.split(':', 1)[1]}"
    labels = {"page": "页面", "api": "接口", "demo": "演示数据", "import": "花名册导入"}
    return labels.get(source, source or "—")


# ---------------------------------------------------------------- archive sections


@dataclass(frozen=True)
class ArchiveSection:
    key: str
    title: str
    order: int = 100
    columns: list[str] = field(default_factory=list)
    # (person, user) -> list of rows (each a list of display values); None: not yet built
    rows: Callable | None = None
    empty_text: str = "暂无记录"


_SECTIONS: dict[str, ArchiveSection] = {}


def register_archive_section(section: ArchiveSection) -> None:
    """Add or replace a section of the lifelong archive (call from AppConfig.ready)."""
    _SECTIONS[section.key] = section


for _key, _title, _order, _columns in (
    ("training", "培训记录", 10, ["培训机构", "职业（工种）", "等级", "培训时间", "结业"]),
    ("certificates", "技能等级证书", 20,
     ["证书编号", "职业（工种）", "等级", "发证机构", "发证日期"]),
    ("vouchers", "培训券", 30, ["券号", "面额", "状态", "有效期"]),
    ("subsidies", "补贴享受", 40, ["补贴类型", "金额", "状态", "发放日期"]),
):
    register_archive_section(ArchiveSection(_key, _title, _order, _columns))


def archive_sections(*, person: Person, user) -> list[dict]:
    """Each registered section with its rows for this person, as the user may see them."""
    out = []
    for section in sorted(_SECTIONS.values(), key=lambda s: (s.order, s.key)):
        rows = list(section.rows(person, user)) if section.rows else []
        out.append({"section": section, "rows": rows})
    return out


# ---------------------------------------------------------------- access log


@dataclass(frozen=True)
class AccessEntry:
    at: object
    organisation: str
    kind: str          # "unmask", "register" or "change"
    fields: str = ""   # the changed fields' names, for a change

    @property
    def what(self) -> str:
        """What the organisation did, as the worker reads it."""
        if self.kind == "unmask":
            return gettext("查看了完整证件号码")
        if self.kind == "register":
            return gettext("办理了实名登记")
        return gettext("修改了登记信息：%(fields)s") % {"fields": self.fields}


def organisation_of(user, *, person: Person) -> str:
    """Who did something to a person's record, as the worker is told: an organisation,
    never a member of staff."""
    if user is None:
        return gettext("系统")
    if person.user_id and user.pk == person.user_id:
        return gettext("本人")
    if user.institution_id:
        return user.institution.name
    if user.department_id:
        return user.department.name
    if user.region_id:
        return gettext("%(region)s人力资源和社会保障部门") % {"region": user.region.name}
    return gettext("人力资源和社会保障部门（系统管理）")


def _actors(ids) -> dict:
    from jineng.orgs.models import User

    return User.objects.select_related("institution", "department", "region").in_bulk(
        [i for i in ids if i is not None])


def person_access_log(*, user, person: Person, limit: int = 50) -> list[AccessEntry]:
    """Who viewed the person's full identity number or changed their record, newest first,
    as `user` may see it: nothing unless the person is in the user's scope (a worker: their
    own record), and only the changes PersonChange's scope shows them."""
    from jineng.core.models import AuditEvent

    if not Person.objects.restrict(user, "view").filter(pk=person.pk).exists():
        return []
    # The unmasking events of a record the user may see are theirs to know about, without
    # the audit administrator's core.view_auditevent: only when and by which organisation.
    views = list(AuditEvent.objects.filter(
        object_type="people.person", object_id=str(person.pk), action=PeopleAction.VIEW_SENSITIVE,
    ).order_by("-id").values_list("at", "actor_id")[:limit])
    changes = list(person_change_list(user=user, person=person)
                   .values_list("at", "actor_id", "changes")[:limit])
    actors = _actors({a for _, a in views} | {a for _, a, _ in changes})
    entries = [AccessEntry(at, organisation_of(actors.get(a), person=person), "unmask")
               for at, a in views]
    for at, a, diff in changes:
        diff = diff or {}
        # the registration is the change that gave the record its name; linking a login
        # account later also starts from empty, but is a change
        created = diff.get("name", [True])[0] in (None, "")
        entries.append(AccessEntry(
            at, organisation_of(actors.get(a), person=person),
            "register" if created else "change",
            "" if created else "、".join(FIELD_LABELS.get(k, k) for k in diff)))
    entries.sort(key=lambda e: e.at, reverse=True)
    return entries[:limit]
