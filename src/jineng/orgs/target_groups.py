"""Target groups (重点群体): the vocabulary people and programmes are tagged with. Records store
the codes (sorted, in a `core.fields.CodeList`); pages and the API show the names.

    vocabulary = TargetGroupVocabulary()          # one query, the whole (small) table
    codes, unknown = vocabulary.parse(["高校毕业生", "veteran"])
    vocabulary.names(codes)                        # ["高校毕业生", "退役军人"]

`parse` accepts a code or a name as typed (full-width folded) and reports what names no
active group; `keep` lets a record keep a group it already has after the group is switched
off. Lists read the names in the row's own SELECT (`with_target_group_names`)."""

from collections.abc import Iterable

from django.db.models import QuerySet

from jineng.core.codes import clean_text
from jineng.core.fields import CodeNames
from jineng.orgs.models import TargetGroup

# Seeds 000/001/002/004: the groups the programme and its documents aim at. Officers add more.
TARGET_GROUP_PRESETS = [
    ("graduate", "高校毕业生"),
    ("non_continuing_student", "未继续升学的初高中毕业生"),
    ("rural_migrant", "农村转移劳动力"),
    ("migrant_worker", "农民工"),
    ("poverty_alleviated", "脱贫劳动力（含监测帮扶对象）"),
    ("relocated", "易地搬迁劳动力"),
    ("unemployed", "失业人员"),
    ("employment_difficulty", "就业困难人员"),
    ("veteran", "退役军人"),
    ("disabled", "残疾人"),
    ("enterprise_employee", "企业职工"),
    ("flexible_employed", "灵活就业人员"),
    ("new_employment_form", "新就业形态"),
    ("student", "在校生"),
    ("returning_entrepreneur", "返乡入乡创业人员"),
    ("inmate_rehab", "服刑/戒毒人员"),
    # Named by the programmes of seeds 000, 002 and 004.
    ("community_corrections", "社区矫正人员"),
    ("high_quality_farmer", "高素质农民"),
    ("aspiring_entrepreneur", "有创业意愿的劳动者"),
    ("rural_labourer", "农村劳动者"),
    ("rural_low_income", "农村低收入家庭劳动力"),
    ("rural_woman", "农村妇女"),
    ("forest_ranger", "生态护林员"),
]


def unknown_message(unknown: Iterable[str]) -> str:
    return f"未知或已停用的重点群体：{'、'.join(unknown)}"


class TargetGroupVocabulary:
    """Every target group, read once, for parsing typed values and naming stored codes."""

    def __init__(self):
        self.groups = list(TargetGroup.objects.order_by("sort_order", "code"))
        self._by_code = {g.code: g for g in self.groups}
        self._by_name = {clean_text(g.name): g for g in self.groups}

    def find(self, value) -> TargetGroup | None:
        """The group a typed code or name means (full-width and case folded), if any."""
        key = clean_text(value)
        return self._by_code.get(key.lower()) or self._by_name.get(key)

    def parse(self, values: Iterable, *, keep: Iterable[str] = ()) -> tuple[list[str], list[str]]:
        """(the codes of `values`, sorted and unique; the values that name no active group,
        in the order typed). A code in `keep` is accepted even when its group is off."""
        keep = set(keep)
        codes, unknown = set(), []
        for value in values:
            if not str(value).strip():
                continue
            group = self.find(value)
            if group is None or not (group.is_active or group.code in keep):
                unknown.append(str(value).strip())
            else:
                codes.add(group.code)
        return sorted(codes), unknown

    def names(self, codes: Iterable[str]) -> list[str]:
        """The groups' names in the groups' order (a code no group has is shown as is)."""
        wanted = set(codes)
        known = [g.name for g in self.groups if g.code in wanted]
        return known + sorted(wanted - set(self._by_code))


def with_target_group_names(qs: QuerySet, column: str = "target_groups") -> QuerySet:
    """Each row's group names as `target_group_names`, in the row's own SELECT."""
    return qs.annotate(target_group_names=CodeNames(column, table=TargetGroup._meta.db_table))


def target_group_names(obj) -> list[str]:
    """A record's group names: annotated by `with_target_group_names` (no query), else read."""
    names = getattr(obj, "target_group_names", None)
    if names is None:
        names = TargetGroupVocabulary().names(obj.target_groups)
    return names


def target_group_sync_presets(**kwargs) -> int:
    """Create the preset groups that are missing (a post_migrate handler; idempotent, and
    never undoes an officer's renaming or switching off). Returns how many were added."""
    existing = set(TargetGroup.objects.values_list("code", flat=True))
    names = set(TargetGroup.objects.values_list("name", flat=True))
    missing = [
        TargetGroup(code=code, name=name, builtin=True, sort_order=(i + 1) * 10)
        for i, (code, name) in enumerate(TARGET_GROUP_PRESETS)
        if code not in existing and name not in names
    ]
    TargetGroup.objects.bulk_create(missing)
    return len(missing)
