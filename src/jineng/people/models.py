from django.conf import settings
from django.db import models

from jineng.core.fields import CodeList
from jineng.core.identity import DocType
from jineng.core.scope import ScopedManager, ScopeSpec
from jineng.orgs.models import Institution, Region, TargetGroup  # noqa: F401 (for the importer)


class OptionalOneToOneField(models.OneToOneField):
    """A one-to-one link most rows do not have (a person's login account). In Python it is a
    OneToOneField (`user.person`); in the database its uniqueness is the model's partial
    UniqueConstraint (`... WHERE user_id IS NOT NULL`) instead of a full unique index, so rows
    without the link (nearly every imported person) add no index entry."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._unique = False  # enforced by the model's Meta.constraints


class Education(models.TextChoices):
    PRIMARY = "primary", "小学及以下"
    JUNIOR = "junior", "初中"
    SENIOR = "senior", "高中"
    VOCATIONAL = "vocational", "中专/中职/技工学校"
    JUNIOR_COLLEGE = "college", "大专/高职"
    BACHELOR = "bachelor", "本科"
    POSTGRADUATE = "postgraduate", "研究生"


class EmploymentStatus(models.TextChoices):
    EMPLOYED = "employed", "就业"
    FLEXIBLE = "flexible", "灵活就业"
    SELF_EMPLOYED = "self_employed", "自主创业"
    UNEMPLOYED = "unemployed", "失业"
    STUDENT = "student", "在校学生"
    NOT_IN_LABOUR_FORCE = "not_in_labour_force", "未就业（非失业登记）"


class Sex(models.TextChoices):
    MALE = "M", "男"
    FEMALE = "F", "女"


class Person(models.Model):
    """One real-name record per (document type, number), the root of the lifelong archive.

    The number is stored encrypted (`id_cipher`) with a keyed hash (`id_hash`, HMAC over
    "doc_type:number") for exact look-up and de-duplication, and a masked copy for display.
    """

    doc_type = models.CharField("证件类型", max_length=16, choices=DocType.choices,
                                default=DocType.RESIDENT)
    id_hash = models.BinaryField("证件号码索引", max_length=32, unique=True)
    id_cipher = models.BinaryField("证件号码密文")
    id_masked = models.CharField("证件号码", max_length=24)
    name = models.CharField("姓名", max_length=50)
    sex = models.CharField("性别", max_length=1, choices=Sex.choices, blank=True)
    birth_date = models.DateField("出生日期", null=True, blank=True)
    phone_cipher = models.BinaryField("手机号密文", null=True, blank=True)
    phone_masked = models.CharField("手机号", max_length=16, blank=True)
    # The four references (these two regions, user, registered_by) are checked by triggers
    # once per statement (migrations 0004, 0006), not by foreign keys row by row: an import
    # of a million people would otherwise queue millions of trigger events. The triggers
    # refuse a reference to a row that does not exist (and, on PostgreSQL, the deletion of a
    # row a person still names); test_reference_integrity pins them. SQLite drops triggers
    # when Django rebuilds the table: a later migration that alters Person must create them
    # again (as 0006 does).
    household_region = models.ForeignKey(
        Region, verbose_name="户籍地", null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", db_constraint=False,
        db_index=False,  # covered by the (household_region, name) index
    )
    residence_region = models.ForeignKey(
        Region, verbose_name="常住地", null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", db_constraint=False,
        db_index=False,  # partial index in Meta (most rows have none)
    )
    education = models.CharField("文化程度", max_length=20, choices=Education.choices, blank=True)
    employment_status = models.CharField(
        "就业状态", max_length=24, choices=EmploymentStatus.choices, blank=True
    )
    # Codes of orgs.TargetGroup, sorted (core.fields.CodeList; GIN-indexed on PostgreSQL by
    # migration 0003).
    target_groups = CodeList("重点群体")
    social_security_card = models.CharField("社会保障卡号", max_length=32, blank=True)
    user = OptionalOneToOneField(
        settings.AUTH_USER_MODEL, verbose_name="登录账号", null=True, blank=True,
        on_delete=models.PROTECT, related_name="person", db_index=False, db_constraint=False,
    )
    registered_by = models.ForeignKey(
        Institution, verbose_name="登记机构", null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", db_constraint=False,
        db_index=False,  # partial index in Meta (most rows have none)
    )
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = ScopedManager()
    scope = ScopeSpec(
        regions=("household_region", "residence_region"),
        institutions=("registered_by",),
        owners=("user",),
    )

    class Meta:
        ordering = ["-id"]
        verbose_name = "劳动者"
        verbose_name_plural = "劳动者"
        # user, registered_by and residence_region are empty on most rows (a bulk import
        # fills none of them): their indexes are partial, so those rows skip them. Any
        # lookup by a value (`= x`, `IN (...)`, a join) implies IS NOT NULL and uses them.
        indexes = [
            # A name prefix within a region (name__startswith: LIKE '张%'): on PostgreSQL the
            # name part needs the pattern operator class unless the database collation is C.
            models.Index(fields=["household_region", "name"], name="person_region_name",
                         opclasses=["int8_ops", "varchar_pattern_ops"]),
            models.Index(fields=["residence_region"], name="person_residence",
                         condition=models.Q(residence_region__isnull=False)),
            models.Index(fields=["registered_by"], name="person_registered_by",
                         condition=models.Q(registered_by__isnull=False)),
        ]
        constraints = [
            models.UniqueConstraint(fields=["user"], name="person_user_unique",
                                    condition=models.Q(user__isnull=False)),
        ]

    def __str__(self):
        return f"{self.name}（{self.id_masked}）"


class PersonChange(models.Model):
    """The history shown on a person's record: who changed what, when, from where."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="changes")
    at = models.DateTimeField("时间")
    actor_id = models.BigIntegerField("操作人ID", null=True, blank=True)
    actor_name = models.CharField("操作人", max_length=150, blank=True)
    source = models.CharField("来源", max_length=40, blank=True)  # page, api, import:<job id>
    changes = models.JSONField("变更内容", default=dict)

    objects = ScopedManager()
    scope = ScopeSpec(  # whoever may see the person
        regions=("person__household_region", "person__residence_region"),
        institutions=("person__registered_by",),
        owners=("person__user",),
    )

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = "信息变更记录"
        verbose_name_plural = "信息变更记录"

    def __str__(self):
        return f"{self.person_id} {self.at:%Y-%m-%d %H:%M} {self.actor_name}"


class ImportMode(models.TextChoices):
    STRICT = "strict", "全部成功才导入"
    PARTIAL = "partial", "导入正确的行，报告错误的行"


class OnDuplicate(models.TextChoices):
    UPDATE = "update", "更新已有记录"
    SKIP = "skip", "跳过"
    ERROR = "error", "作为错误报告"


class ImportStatus(models.TextChoices):
    QUEUED = "queued", "排队中"
    RUNNING = "running", "导入中"
    DONE = "done", "已完成"
    FAILED = "failed", "失败"


class PersonImport(models.Model):
    """One roster file brought into the registry, with its progress and report."""

    region = models.ForeignKey(Region, verbose_name="默认地区", on_delete=models.PROTECT,
                               related_name="+")
    institution = models.ForeignKey(Institution, verbose_name="登记机构", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="导入人", null=True,
                                   blank=True, on_delete=models.PROTECT, related_name="+")
    file_name = models.CharField("文件名", max_length=255)
    file_path = models.CharField("文件位置", max_length=500)
    mode = models.CharField("模式", max_length=10, choices=ImportMode.choices,
                            default=ImportMode.PARTIAL)
    on_duplicate = models.CharField("重复时", max_length=10, choices=OnDuplicate.choices,
                                    default=OnDuplicate.SKIP)
    status = models.CharField("状态", max_length=10, choices=ImportStatus.choices,
                              default=ImportStatus.QUEUED)
    total_rows = models.PositiveIntegerField("总行数", null=True, blank=True)
    rows_done = models.PositiveIntegerField("已处理行数", default=0)
    created = models.PositiveIntegerField("新增", default=0)
    updated = models.PositiveIntegerField("更新", default=0)
    skipped = models.PositiveIntegerField("跳过", default=0)
    rejected = models.PositiveIntegerField("拒绝", default=0)
    report_path = models.CharField("错误报告", max_length=500, blank=True)
    error_message = models.TextField("失败原因", blank=True)
    created_at = models.DateTimeField("提交时间", auto_now_add=True)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    # Written while the import runs (at its start and with the progress after each batch):
    # a running import whose heartbeat is too old lost its worker (service.mark_orphaned).
    heartbeat_at = models.DateTimeField("最近进展时间", null=True, blank=True)

    objects = ScopedManager()
    scope = ScopeSpec(regions=("region",), institutions=("institution",), owners=("created_by",))

    class Meta:
        ordering = ["-id"]
        verbose_name = "花名册导入"
        verbose_name_plural = "花名册导入"

    def __str__(self):
        return f"导入 #{self.pk} {self.file_name}"
