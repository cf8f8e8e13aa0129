from fnmatch import fnmatchcase

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from jineng.core.scope import SELF_FIELD, Grant, ScopedManager, ScopedQuerySet, ScopeKind, ScopeSpec


class RegionLevel(models.IntegerChoices):
    PROVINCE = 1, _("省级")
    PREFECTURE = 2, _("地市级")
    COUNTY = 3, _("县级")


class Region(models.Model):
    """A division of the GB/T 2260 tree, or a functional zone (示范区) flagged non-standard."""

    code = models.CharField("区划代码", max_length=12, unique=True)
    name = models.CharField("名称", max_length=100)
    level = models.PositiveSmallIntegerField("级别", choices=RegionLevel.choices)
    parent = models.ForeignKey(
        "self", verbose_name="上级", null=True, blank=True, on_delete=models.PROTECT,
        related_name="children",
    )
    # /410000/411400/411402/ : "this region and below" is a prefix match.
    path = models.CharField("路径", max_length=100, unique=True)
    non_standard = models.BooleanField("非标准区划（功能区）", default=False)
    is_active = models.BooleanField("启用", default=True)

    objects = ScopedManager()
    scope = ScopeSpec(regions=(SELF_FIELD,))

    class Meta:
        ordering = ["code"]
        verbose_name = "行政区划"
        verbose_name_plural = "行政区划"

    def __str__(self):
        return self.name


class Department(models.Model):
    """A responsible department (责任单位) of a government, e.g. 市教育体育局."""

    code = models.CharField("单位编码", max_length=32)
    name = models.CharField("名称", max_length=100)
    region = models.ForeignKey(Region, verbose_name="所属地区", on_delete=models.PROTECT)
    is_active = models.BooleanField("启用", default=True)

    objects = ScopedManager()
    scope = ScopeSpec(regions=("region",))

    class Meta:
        ordering = ["region__code", "code"]
        verbose_name = "责任单位"
        verbose_name_plural = "责任单位"
        constraints = [
            models.UniqueConstraint(fields=["region", "code"], name="department_code_per_region"),
            models.UniqueConstraint(fields=["region", "name"], name="department_name_per_region"),
        ]

    def __str__(self):
        return self.name


class TargetGroup(models.Model):
    """A group a policy aims at (高校毕业生, 农村转移劳动力 …); officers can add more. People and
    programmes both carry these codes (people and catalog are siblings: the table lives here,
    below both, so eligibility compares like with like)."""

    code = models.CharField("编码", max_length=40, unique=True)
    name = models.CharField("名称", max_length=60, unique=True)
    builtin = models.BooleanField("内置", default=False)
    is_active = models.BooleanField("启用", default=True)
    sort_order = models.PositiveSmallIntegerField("排序", default=100)

    objects = ScopedManager()
    scope = ScopeSpec(is_global=True)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = "重点群体"
        verbose_name_plural = "重点群体"

    def __str__(self):
        return self.name


class InstitutionKind(models.TextChoices):
    TRAINING = "training", _("培训机构")
    TECHNICAL_SCHOOL = "technical_school", _("技工院校")
    EVALUATION = "evaluation", _("评价机构")
    ENTERPRISE = "enterprise", _("企业")
    HR_AGENCY = "hr_agency", _("人力资源服务机构")


class InstitutionStatus(models.TextChoices):
    ACTIVE = "active", _("正常")
    SUSPENDED = "suspended", _("暂停")
    REVOKED = "revoked", _("已退出")


class Institution(models.Model):
    name = models.CharField("名称", max_length=200)
    kind = models.CharField("类型", max_length=20, choices=InstitutionKind.choices)
    credit_code = models.CharField("统一社会信用代码", max_length=18, unique=True)
    region = models.ForeignKey(Region, verbose_name="所在地区", on_delete=models.PROTECT)
    status = models.CharField(
        "状态", max_length=12, choices=InstitutionStatus.choices, default=InstitutionStatus.ACTIVE
    )
    address = models.CharField("地址", max_length=200, blank=True)
    contact_name = models.CharField("联系人", max_length=50, blank=True)
    contact_phone = models.CharField("联系电话", max_length=30, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = ScopedManager()
    scope = ScopeSpec(regions=("region",), institutions=(SELF_FIELD,))

    class Meta:
        ordering = ["region__code", "name"]
        verbose_name = "机构"
        verbose_name_plural = "机构"

    def __str__(self):
        return self.name


class Role(models.Model):
    """Function permissions plus a data scope; a user's roles combine."""

    code = models.CharField("角色编码", max_length=50, unique=True)
    name = models.CharField("名称", max_length=100)
    description = models.CharField("说明", max_length=300, blank=True)
    # Permission codes `<app>.<action>_<model>`; shell-style patterns ("orgs.view_*") grant,
    # patterns starting with ! take away ("!orgs.change_targetgroup").
    permissions = models.JSONField("功能权限", default=list, blank=True)
    scope_kind = models.CharField(
        "数据范围", max_length=20, choices=ScopeKind.choices, default=ScopeKind.SELF
    )
    scope_regions = models.ManyToManyField(
        Region, verbose_name="指定地区", blank=True, related_name="+"
    )
    builtin = models.BooleanField("内置角色", default=False)
    is_active = models.BooleanField("启用", default=True)

    objects = ScopedManager()
    scope = ScopeSpec(is_global=True)

    class Meta:
        ordering = ["code"]
        verbose_name = "角色"
        verbose_name_plural = "角色"

    def __str__(self):
        return self.name

    @property
    def label(self) -> str:
        """The name in the reader's language: a built-in role's name is translated (context
        "role"); a role a bureau made keeps the name it was given."""
        return pgettext("role", self.name) if self.builtin else self.name

    def grants(self, code: str) -> bool:
        """Whether a permission code matches; a pattern starting with ! takes codes away."""
        granted = denied = False
        for pattern in self.permissions:
            if pattern.startswith("!"):
                denied = denied or fnmatchcase(code, pattern[1:])
            else:
                granted = granted or fnmatchcase(code, pattern)
        return granted and not denied


class JinengUserManager(UserManager.from_queryset(ScopedQuerySet)):
    pass


class User(AbstractUser):
    full_name = models.CharField("姓名", max_length=50, blank=True)
    phone = models.CharField("手机号", max_length=20, blank=True)
    region = models.ForeignKey(
        Region, verbose_name="所属地区", null=True, blank=True, on_delete=models.PROTECT
    )
    institution = models.ForeignKey(
        Institution, verbose_name="所属机构", null=True, blank=True, on_delete=models.PROTECT
    )
    department = models.ForeignKey(
        Department, verbose_name="所属单位", null=True, blank=True, on_delete=models.PROTECT
    )
    roles = models.ManyToManyField(Role, verbose_name="角色", blank=True, related_name="users")
    language = models.CharField(
        "界面语言", max_length=10, default="zh-hans",
        choices=[("zh-hans", "简体中文"), ("en", "English")],
    )
    must_change_password = models.BooleanField("下次登录须修改密码", default=True)
    password_changed_at = models.DateTimeField("密码修改时间", null=True, blank=True)
    failed_login_count = models.PositiveSmallIntegerField("连续登录失败次数", default=0)
    locked_until = models.DateTimeField("锁定至", null=True, blank=True)

    objects = JinengUserManager()
    scope = ScopeSpec(regions=("region",), institutions=("institution",), owners=(SELF_FIELD,))

    class Meta:
        ordering = ["username"]
        verbose_name = "用户"
        verbose_name_plural = "用户"

    def __str__(self):
        return self.full_name or self.username

    @property
    def is_locked(self) -> bool:
        return bool(self.locked_until and self.locked_until > timezone.now())

    def active_roles(self) -> list[Role]:
        if not hasattr(self, "_active_roles"):
            self._active_roles = list(self.roles.filter(is_active=True))
        return self._active_roles

    def _regions_roles_prefetched(self) -> list[Role]:
        """The active roles, with the listed regions of those scoped to listed regions loaded
        once (a permission check needs none of them: only the data scope does)."""
        roles = self.active_roles()
        models.prefetch_related_objects(
            [r for r in roles if r.scope_kind == ScopeKind.REGIONS], "scope_regions")
        return roles

    def has_permission(self, code: str) -> bool:
        return self.is_active and any(r.grants(code) for r in self.active_roles())

    def grants_for(self, code: str) -> list[Grant]:
        """The data scopes under which this user's roles grant a permission."""
        if not self.is_active:
            return []
        region_path = self.region.path if self.region_id else None
        grants = []
        for role in self._regions_roles_prefetched():
            if not role.grants(code):
                continue
            kind = role.scope_kind
            paths: tuple[str, ...] = ()
            if kind == ScopeKind.REGIONS:
                paths = tuple(r.path for r in role.scope_regions.all())
            elif kind == ScopeKind.OWN_REGION_AND_BELOW and region_path:
                paths = (region_path,)
            grants.append(
                Grant(
                    kind=kind,
                    region_paths=paths,
                    region_id=self.region_id,
                    institution_id=self.institution_id,
                    user_id=self.pk,
                )
            )
        return grants

    @property
    def scope_label(self) -> str:
        if self.institution_id:
            return self.institution.name
        if self.department_id:
            return self.department.name
        if self.region_id:
            return self.region.name
        return ""


class ApiToken(models.Model):
    """A bearer token for an institution's or a system's client; only its hash is stored."""

    user = models.ForeignKey(User, verbose_name="用户", on_delete=models.PROTECT,
                             related_name="api_tokens")
    name = models.CharField("用途", max_length=100)
    prefix = models.CharField("前缀", max_length=12, unique=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(User, verbose_name="创建人", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    expires_at = models.DateTimeField("过期时间", null=True, blank=True)
    revoked_at = models.DateTimeField("吊销时间", null=True, blank=True)
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True)

    objects = ScopedManager()
    scope = ScopeSpec(regions=("user__region",), institutions=("user__institution",),
                      owners=("user",))

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "接口令牌"
        verbose_name_plural = "接口令牌"

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_usable(self) -> bool:
        now = timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)


class SecurityPolicy(models.Model):
    """The one row of security settings that the security administrator keeps."""

    password_min_length = models.PositiveSmallIntegerField("密码最小长度", default=10)
    password_min_classes = models.PositiveSmallIntegerField(
        "密码至少包含的字符类别数", default=3,
        help_text="大写字母、小写字母、数字、符号四类中至少几类",
    )
    lockout_threshold = models.PositiveSmallIntegerField("连续失败几次锁定", default=5)
    lockout_minutes = models.PositiveSmallIntegerField("锁定分钟数", default=15)
    idle_timeout_minutes = models.PositiveSmallIntegerField("空闲超时分钟数", default=30)
    token_days = models.PositiveSmallIntegerField("接口令牌默认有效天数", default=365)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = ScopedManager()
    scope = ScopeSpec(is_global=True)

    class Meta:
        verbose_name = "安全策略"
        verbose_name_plural = "安全策略"

    def __str__(self):
        return "安全策略"

    @classmethod
    def current(cls) -> "SecurityPolicy":
        policy = cls.objects.filter(pk=1).first()
        return policy or cls(pk=1)


class LoginThrottle(models.Model):
    """Failed sign-ins counted by a key that is not an account: a username nobody holds (so
    that it locks like a real one and the answer tells nothing) or a source address."""

    key = models.CharField("键", max_length=200, unique=True)
    failures = models.PositiveIntegerField("失败次数", default=0)
    window_started_at = models.DateTimeField("计数开始时间")
    locked_until = models.DateTimeField("锁定至", null=True, blank=True)

    class Meta:
        verbose_name = "登录限流"
        verbose_name_plural = "登录限流"

    def __str__(self):
        return self.key


class PasswordHistory(models.Model):
    """The hashes of a user's recent passwords (the current one included), so a new password
    cannot repeat one of them."""

    KEEP = 5

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="password_history")
    password = models.CharField(max_length=128)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "历史密码"
        verbose_name_plural = "历史密码"

    def __str__(self):
        return f"{self.user_id} {self.created_at:%Y-%m-%d}"
