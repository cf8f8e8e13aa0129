"""Occupations and levels, the subsidised-occupation catalogue, programmes, policy tables and
fund sources. Policy is data: every figure the system pays lives in a `PolicyVersion` with a
region, an effective period and its source document (or a "sample" label)."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from jineng.core.fields import CodeList
from jineng.core.scope import ScopedManager, ScopeSpec
from jineng.orgs.models import Department, Region

# ---------------------------------------------------------------- occupations and levels


class OccupationLevel(models.IntegerChoices):
    MAJOR = 1, "大类"
    MIDDLE = 2, "中类"
    MINOR = 3, "小类"
    OCCUPATION = 4, "职业"


class Occupation(models.Model):
    """One row of one edition of 《职业分类大典》. A newer edition adds rows and points each old
    row to its successor, so records that refer to an old code keep referring to it."""

    edition = models.CharField("版本", max_length=10)
    code = models.CharField("代码", max_length=16)
    level = models.PositiveSmallIntegerField("层级", choices=OccupationLevel.choices)
    name = models.CharField("名称", max_length=100)
    parent = models.ForeignKey(
        "self", verbose_name="上级", null=True, blank=True, on_delete=models.PROTECT,
        related_name="children",
    )
    is_digital = models.BooleanField("数字职业", default=False)
    is_green = models.BooleanField("绿色职业", default=False)
    is_current = models.BooleanField("现行版本", default=True)
    successor = models.ForeignKey(
        "self", verbose_name="新版对应", null=True, blank=True, on_delete=models.PROTECT,
        related_name="predecessors",
    )

    objects = ScopedManager()
    scope = ScopeSpec(is_global=True)

    class Meta:
        ordering = ["code"]
        verbose_name = "职业"
        verbose_name_plural = "职业"
        constraints = [
            models.UniqueConstraint(fields=["edition", "code"], name="occupation_code_per_edition"),
        ]
        indexes = [models.Index(fields=["code"], name="occupation_code")]

    def __str__(self):
        return f"{self.code} {self.name}"

    @property
    def mark(self) -> str:
        return "/".join(m for m, on in (("L", self.is_green), ("S", self.is_digital)) if on)


class WorkType(models.Model):
    """A 工种: a named child of an occupation (e.g. 电工 → 维修电工)."""

    occupation = models.ForeignKey(
        Occupation, verbose_name="职业", on_delete=models.PROTECT, related_name="work_types"
    )
    name = models.CharField("工种名称", max_length=100)
    is_active = models.BooleanField("启用", default=True)

    objects = ScopedManager()
    scope = ScopeSpec(is_global=True)

    class Meta:
        ordering = ["occupation__code", "name"]
        verbose_name = "工种"
        verbose_name_plural = "工种"
        constraints = [
            models.UniqueConstraint(fields=["occupation", "name"], name="work_type_per_occupation"),
        ]

    def __str__(self):
        return f"{self.occupation.name}（{self.name}）"


class SkillLevel(models.Model):
    """五级/初级工 … 一级/高级技师 (digit 5..1), 专项职业能力 (no level), and the eight-level
    additions 学徒工, 特级技师, 首席技师. Rank orders them from low to high."""

    code = models.CharField("编码", max_length=20, unique=True)
    digit = models.PositiveSmallIntegerField("等级数字", null=True, blank=True)
    name = models.CharField("名称", max_length=30)
    short_name = models.CharField("简称", max_length=20)
    rank = models.SmallIntegerField("排序")
    is_eight_level_addition = models.BooleanField("新八级工新增", default=False)

    objects = ScopedManager()
    scope = ScopeSpec(is_global=True)

    class Meta:
        ordering = ["rank"]
        verbose_name = "技能等级"
        verbose_name_plural = "技能等级"

    def __str__(self):
        return self.name


class EvaluationType(models.Model):
    code = models.CharField("编码", max_length=30, unique=True)
    name = models.CharField("名称", max_length=30)
    description = models.CharField("说明", max_length=200, blank=True)

    objects = ScopedManager()
    scope = ScopeSpec(is_global=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = "评价类型"
        verbose_name_plural = "评价类型"

    def __str__(self):
        return self.name


# ---------------------------------------------------------------- documents and policy tables

# How a version without a document is labelled wherever its figures are shown or exported.
SAMPLE_LABEL = "示例数据，非文件规定"


class PolicyDocument(models.Model):
    """A policy document that figures are taken from (文件)."""

    region = models.ForeignKey(Region, verbose_name="发文地区", on_delete=models.PROTECT)
    issuer = models.CharField("发文机关", max_length=100)
    title = models.CharField("标题", max_length=300)
    number = models.CharField("文号", max_length=60, blank=True)
    issued_on = models.DateField("成文日期", null=True, blank=True)
    source = models.CharField("来源", max_length=200, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    objects = ScopedManager()
    scope = ScopeSpec(regions=("region",))

    class Meta:
        ordering = ["region__code", "-issued_on"]
        verbose_name = "政策文件"
        verbose_name_plural = "政策文件"
        constraints = [
            models.UniqueConstraint(fields=["region", "title"], name="document_title_per_region"),
        ]

    def __str__(self):
        return f"{self.title}（{self.number}）" if self.number else self.title


class PolicyKind(models.TextChoices):
    EVALUATION_SUBSIDY = "evaluation_subsidy", "评价补贴标准"
    TRAINING_SUBSIDY = "training_subsidy", "补贴性培训职业目录（培训补贴标准）"
    HIRING_SUBSIDY = "hiring_subsidy", "吸纳持证人员就业补助"
    PLACEMENT_SUBSIDY = "placement_subsidy", "职业介绍（持证就业）补贴"
    COMPETITION_PRIZE = "competition_prize", "职业技能竞赛奖励"
    PERSON_LIMITS = "person_limits", "个人补贴次数限制"
    INSTITUTION_LIMITS = "institution_limits", "机构限制"
    TRAINING_PROCESS = "training_process", "培训过程管理"


class PolicyVersion(models.Model):
    """One version of one kind of policy table for one region and period. Its figures never
    change; a revision is a new version, and the old one's period ends the day before."""

    kind = models.CharField("政策类型", max_length=30, choices=PolicyKind.choices)
    region = models.ForeignKey(Region, verbose_name="地区", on_delete=models.PROTECT)
    number = models.PositiveIntegerField("版本号")
    valid_from = models.DateField("生效日期")
    valid_to = models.DateField("截止日期", null=True, blank=True)
    data = models.JSONField("内容")
    document = models.ForeignKey(
        PolicyDocument, verbose_name="依据文件", null=True, blank=True, on_delete=models.PROTECT
    )
    section = models.CharField("条款", max_length=60, blank=True)
    is_sample = models.BooleanField("示例数据", default=False)
    note = models.CharField("说明", max_length=300, blank=True)
    supersedes = models.OneToOneField(
        "self", verbose_name="替代的版本", null=True, blank=True, on_delete=models.PROTECT,
        related_name="superseded_by",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="发布人", null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    created_at = models.DateTimeField("发布时间", auto_now_add=True)

    objects = ScopedManager()
    scope = ScopeSpec(regions=("region",))

    class Meta:
        ordering = ["kind", "region__code", "-valid_from"]
        verbose_name = "政策版本"
        verbose_name_plural = "政策版本"
        constraints = [
            models.UniqueConstraint(fields=["kind", "region", "number"],
                                    name="policy_version_number"),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="policy_version_period",
            ),
            models.CheckConstraint(
                condition=Q(document__isnull=False, is_sample=False)
                | Q(document__isnull=True, is_sample=True),
                name="policy_version_source",
            ),
        ]
        indexes = [models.Index(fields=["kind", "region", "valid_from"], name="policy_lookup")]

    def __str__(self):
        return f"{self.region.name}·{self.get_kind_display()}·第{self.number}版"

    @property
    def source_label(self) -> str:
        if self.is_sample:
            return SAMPLE_LABEL
        label = str(self.document)
        return f"{label} {self.section}".strip()

    @property
    def short_source(self) -> str:
        """The document number and section (or title when it has no number), for tables."""
        if self.is_sample:
            return "示例数据"
        label = self.document.number or self.document.title
        return f"{label} {self.section}".strip()


class CatalogueEntry(models.Model):
    """One line of a published subsidised-occupation catalogue (a `training_subsidy`
    version): occupation or 工种 + level → subsidy, hours, 证书直补, open target groups.
    Written once with its version and never changed."""

    version = models.ForeignKey(
        PolicyVersion, verbose_name="目录版本", on_delete=models.PROTECT, related_name="entries"
    )
    occupation = models.ForeignKey(Occupation, verbose_name="职业", on_delete=models.PROTECT)
    work_type = models.ForeignKey(
        WorkType, verbose_name="工种", null=True, blank=True, on_delete=models.PROTECT
    )
    level = models.ForeignKey(SkillLevel, verbose_name="等级", on_delete=models.PROTECT)
    subsidy_fen = models.PositiveBigIntegerField("培训补贴标准（分）")
    min_hours = models.PositiveIntegerField("最低培训课时")
    direct_subsidy = models.BooleanField("证书直补", default=False)
    target_groups = CodeList("适用群体")  # codes of orgs.TargetGroup, sorted

    objects = ScopedManager()
    scope = ScopeSpec(regions=("version__region",))

    class Meta:
        ordering = ["version", "occupation__code", "level__rank"]
        verbose_name = "目录条目"
        verbose_name_plural = "目录条目"

    def __str__(self):
        return f"{self.occupation.name} {self.level.short_name}"


# ---------------------------------------------------------------- fund sources and programmes


class FundSource(models.Model):
    """A named source of money (就业补助资金, 职业技能提升行动专账资金 …)."""

    code = models.CharField("编码", max_length=40, unique=True)
    name = models.CharField("名称", max_length=60, unique=True)
    description = models.CharField("说明", max_length=200, blank=True)
    is_active = models.BooleanField("启用", default=True)

    objects = ScopedManager()
    scope = ScopeSpec(is_global=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = "资金来源"
        verbose_name_plural = "资金来源"

    def __str__(self):
        return self.name


class FundBudget(models.Model):
    """The budget of one fund source in one region for one year, in fen."""

    source = models.ForeignKey(FundSource, verbose_name="资金来源", on_delete=models.PROTECT,
                               related_name="budgets")
    region = models.ForeignKey(Region, verbose_name="地区", on_delete=models.PROTECT)
    year = models.PositiveSmallIntegerField("年度")
    amount_fen = models.PositiveBigIntegerField("预算（分）")
    is_sample = models.BooleanField("示例数据", default=False)
    note = models.CharField("说明", max_length=200, blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = ScopedManager()
    scope = ScopeSpec(regions=("region",))

    class Meta:
        ordering = ["region__code", "-year", "source_id"]
        verbose_name = "资金预算"
        verbose_name_plural = "资金预算"
        constraints = [
            models.UniqueConstraint(fields=["source", "region", "year"], name="budget_per_year"),
        ]

    def __str__(self):
        return f"{self.region.name}{self.year}年{self.source.name}"


class ProgrammeKind(models.TextChoices):
    PLAN = "plan", "培训计划"
    BATCH = "batch", "“一批”培养"
    SPECIAL = "special", "专项人才培养工程"
    BRAND = "brand", "品牌工程"


class Programme(models.Model):
    """A programme (计划 / 工程) of a region, from its policy document."""

    region = models.ForeignKey(Region, verbose_name="地区", on_delete=models.PROTECT)
    code = models.CharField("编号", max_length=40)
    name = models.CharField("名称", max_length=100)
    kind = models.CharField("类别", max_length=10, choices=ProgrammeKind.choices)
    period_start = models.DateField("开始日期")
    period_end = models.DateField("结束日期", null=True, blank=True)
    goal = models.CharField("目标（摘自文件）", max_length=300, blank=True)
    responsible = models.CharField("责任单位（文件原文）", max_length=300, blank=True)
    departments = models.ManyToManyField(Department, verbose_name="责任单位", blank=True,
                                         related_name="programmes")
    target_groups = CodeList("重点群体")  # codes of orgs.TargetGroup, sorted
    occupations = models.ManyToManyField(Occupation, verbose_name="涉及职业", blank=True,
                                         related_name="programmes")
    fund_sources = models.ManyToManyField(FundSource, verbose_name="资金来源", blank=True,
                                          related_name="programmes")
    document = models.ForeignKey(PolicyDocument, verbose_name="依据文件", null=True, blank=True,
                                 on_delete=models.PROTECT)
    section = models.CharField("条款", max_length=60, blank=True)
    is_active = models.BooleanField("启用", default=True)

    objects = ScopedManager()
    scope = ScopeSpec(regions=("region",))

    class Meta:
        ordering = ["region__code", "code"]
        verbose_name = "计划/工程"
        verbose_name_plural = "计划/工程"
        constraints = [
            models.UniqueConstraint(fields=["region", "code"], name="programme_code_per_region"),
            models.CheckConstraint(
                condition=Q(period_end__isnull=True) | Q(period_end__gte=models.F("period_start")),
                name="programme_period",
            ),
        ]

    def __str__(self):
        return self.name
