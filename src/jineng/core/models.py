from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from jineng.core.scope import ScopedManager, ScopeSpec


class AppendOnlyError(Exception):
    pass


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("审计事件只能追加，不能修改")

    def bulk_update(self, objs, fields, batch_size=None):
        raise AppendOnlyError("审计事件只能追加，不能修改")

    def update_or_create(self, *args, **kwargs):
        raise AppendOnlyError("审计事件只能追加，不能修改")

    def delete(self):
        raise AppendOnlyError("审计事件只能追加，不能删除")

    def restrict(self, user, action="view"):
        from jineng.core.scope import ScopedQuerySet

        return ScopedQuerySet.restrict(self, user, action)


class AuditEvent(models.Model):
    """One append-only event of the audit trail, chained by an HMAC under the key `key_id`:
    event `seq` of chain `chain` links to event `seq - 1` of the same chain. The trail is
    several chains so that concurrent writers do not queue on one head (core/audit.py); the
    primary key orders the events of all chains."""

    chain = models.PositiveSmallIntegerField("审计链", default=1)
    seq = models.BigIntegerField("链内序号")
    at = models.DateTimeField("时间", db_index=True)
    actor_id = models.BigIntegerField("操作人ID", null=True, blank=True, db_index=True)
    actor_name = models.CharField("操作人", max_length=150, blank=True)
    action = models.CharField("操作", max_length=40, db_index=True)
    object_type = models.CharField("对象类型", max_length=60, blank=True, db_index=True)
    object_id = models.CharField("对象ID", max_length=64, blank=True)
    object_repr = models.CharField("对象", max_length=200, blank=True)
    changes = models.JSONField("变更内容", default=dict, blank=True)
    request_id = models.CharField("请求ID", max_length=64, blank=True)
    ip = models.CharField("IP地址", max_length=64, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)
    key_id = models.CharField("密钥编号", max_length=16, default="")

    objects = models.Manager.from_queryset(AuditEventQuerySet)()
    scope = ScopeSpec(is_global=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = "审计事件"
        verbose_name_plural = "审计事件"
        indexes = [models.Index(fields=["object_type", "object_id"])]
        constraints = [models.UniqueConstraint(fields=["chain", "seq"],
                                               name="core_auditevent_chain_seq")]

    def __str__(self):
        return (f"#{self.chain}-{self.seq} {self.actor_name} {self.action} "
                f"{self.object_type}:{self.object_id}")

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("审计事件只能追加，不能修改")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("审计事件只能追加，不能删除")


class AuditChainHead(models.Model):
    """One chain's last sequence number and hash (the chain is the primary key); locking it
    serialises appends to that chain. The rows are the chains: adding one adds a chain."""

    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64, default="0" * 64)

    def __str__(self):
        return f"#{self.pk}-{self.seq} {self.hash[:12]}"


# ---------------------------------------------------------------- review chains (core/review.py)


class ReviewLevel(models.IntegerChoices):
    """The tier of government whose officer decides a step (the values are orgs' region
    levels, so the region at a level is the subject's region or its ancestor there)."""

    PROVINCE = 1, _("省级")
    CITY = 2, _("市级")
    COUNTY = 3, _("县级")


class ReviewState(models.TextChoices):
    PENDING = "pending", _("审核中")
    RETURNED = "returned", _("已退回修改")
    APPROVED = "approved", _("已通过")
    REJECTED = "rejected", _("已驳回")


class ReviewDecisionKind(models.TextChoices):
    APPROVE = "approve", _("通过")
    RETURN = "return", _("退回修改")
    REJECT = "reject", _("驳回")


OPEN_REVIEW_STATES = (ReviewState.PENDING, ReviewState.RETURNED)


class ReviewChain(models.Model):
    """The steps a filing of one kind goes through in a region and below (the nearest chain
    above a subject's region applies). No region: the default shipped for everywhere."""

    kind = models.CharField("审核事项", max_length=60)
    region = models.ForeignKey("orgs.Region", verbose_name="适用地区", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    is_active = models.BooleanField("启用", default=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = ScopedManager()
    scope = ScopeSpec(regions=("region",))

    class Meta:
        ordering = ["kind", "region__code"]
        verbose_name = "审核流程"
        verbose_name_plural = "审核流程"
        constraints = [
            models.UniqueConstraint(fields=["kind", "region"], name="review_chain_per_region"),
            models.UniqueConstraint(fields=["kind"], condition=models.Q(region__isnull=True),
                                    name="review_chain_one_default"),
        ]

    def __str__(self):
        return f"{self.kind} @ {self.region or '默认'}"


class ReviewStep(models.Model):
    chain = models.ForeignKey(ReviewChain, on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveSmallIntegerField("顺序")
    permission = models.CharField("审核权限", max_length=100)
    level = models.PositiveSmallIntegerField("审核层级", choices=ReviewLevel.choices)

    class Meta:
        ordering = ["chain", "order"]
        verbose_name = "审核步骤"
        verbose_name_plural = "审核步骤"
        constraints = [models.UniqueConstraint(fields=["chain", "order"],
                                               name="review_step_order")]

    def __str__(self):
        return f"{self.order}. {self.permission} ({self.get_level_display()})"


class Review(models.Model):
    """One subject's way through a chain. The steps are copied at submission, so a chain
    edited meanwhile does not change a review under way; `step_permission` and
    `step_region` are the current step's, so the queue is one query."""

    kind = models.CharField("审核事项", max_length=60)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.PositiveBigIntegerField()
    subject = GenericForeignKey("content_type", "object_id")
    title = models.CharField("事项", max_length=200)
    region = models.ForeignKey("orgs.Region", verbose_name="所在地区", on_delete=models.PROTECT,
                               related_name="+")
    chain = models.ForeignKey(ReviewChain, verbose_name="审核流程", null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    steps = models.JSONField("审核步骤", default=list)
    round = models.PositiveSmallIntegerField("提交轮次", default=1)
    step_index = models.PositiveSmallIntegerField("当前步骤", default=0)
    step_permission = models.CharField("当前步骤权限", max_length=100, blank=True)
    step_region = models.ForeignKey("orgs.Region", verbose_name="当前步骤审核地区", null=True,
                                    blank=True, on_delete=models.PROTECT, related_name="+")
    state = models.CharField("状态", max_length=12, choices=ReviewState.choices,
                             default=ReviewState.PENDING)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="提交人",
                                     null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    submitted_at = models.DateTimeField("提交时间")
    decided_at = models.DateTimeField("办结时间", null=True, blank=True)

    objects = ScopedManager()
    scope = ScopeSpec(regions=("region",), owners=("submitted_by",))

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        verbose_name = "审核"
        verbose_name_plural = "审核"
        indexes = [models.Index(fields=["content_type", "object_id"]),
                   models.Index(fields=["state", "step_permission"])]
        constraints = [models.UniqueConstraint(
            fields=["content_type", "object_id"],
            condition=models.Q(state__in=["pending", "returned"]),
            name="review_one_open_per_subject")]

    def __str__(self):
        return self.title

    @property
    def step_count(self) -> int:
        return len(self.steps)


class ReviewSubmission(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="submissions")
    round = models.PositiveSmallIntegerField("提交轮次")
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="提交人",
                                     null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    actor_name = models.CharField("提交人", max_length=150)
    at = models.DateTimeField("提交时间")

    class Meta:
        ordering = ["review", "round"]
        verbose_name = "审核提交"
        verbose_name_plural = "审核提交"

    def __str__(self):
        return f"{self.review_id} #{self.round}"


class ReviewDecision(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="decisions")
    round = models.PositiveSmallIntegerField("提交轮次")
    step_index = models.PositiveSmallIntegerField("步骤")
    decision = models.CharField("审核意见", max_length=10, choices=ReviewDecisionKind.choices)
    reason = models.TextField("理由", blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="审核人", null=True,
                              blank=True, on_delete=models.PROTECT, related_name="+")
    actor_name = models.CharField("审核人", max_length=150)
    at = models.DateTimeField("审核时间")

    class Meta:
        ordering = ["review", "round", "step_index"]
        verbose_name = "审核意见"
        verbose_name_plural = "审核意见"
        constraints = [models.UniqueConstraint(fields=["review", "round", "step_index"],
                                               name="review_decision_once_per_step")]

    def __str__(self):
        return f"{self.review_id} #{self.round}.{self.step_index} {self.decision}"
