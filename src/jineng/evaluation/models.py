"""Evaluation bodies and their filings (备案), evaluation plans (考核计划) with examiners and
candidates, results, and the certificates they issue. Rules live in the services
(bodies.py, plans.py, results.py, certificates.py)."""

from django.conf import settings
from django.db import models

from jineng.catalog.models import EvaluationType, Occupation, SkillLevel, WorkType
from jineng.core.scope import ScopedManager, ScopeSpec
from jineng.orgs.models import Institution, Region
from jineng.people.models import Person
from jineng.training.models import Enrolment


class BodyKind(models.TextChoices):
    SOCIAL = "social", "社会培训评价组织"
    ENTERPRISE = "enterprise", "企业自主评价"
    SCHOOL = "school", "院校评价"
    QUALIFICATION = "qualification", "职业资格评价机构"
    SPECIAL = "special", "专项职业能力考核机构"


class FilingStatus(models.TextChoices):
    APPLIED = "applied", "已申请（待审核）"
    RETURNED = "returned", "退回修改"
    REJECTED = "rejected", "不予备案"
    FILED = "filed", "已备案"
    SUSPENDED = "suspended", "暂停"
    WITHDRAWN = "withdrawn", "已撤销"


class BodyFiling(models.Model):
    """An evaluation body's filing: what it may evaluate (occupations, levels, evaluation
    types) over a period. The body is an institution: an evaluation organisation, an
    enterprise (its own employees) or a school (its own students)."""

    institution = models.ForeignKey(Institution, verbose_name="评价机构",
                                    on_delete=models.PROTECT, related_name="evaluation_filings")
    kind = models.CharField("机构类别", max_length=16, choices=BodyKind.choices)
    evaluation_types = models.ManyToManyField(EvaluationType, verbose_name="评价类型",
                                              related_name="+")
    occupations = models.ManyToManyField(Occupation, verbose_name="评价职业", related_name="+")
    levels = models.ManyToManyField(SkillLevel, verbose_name="评价等级", related_name="+")
    valid_from = models.DateField("备案期起")
    valid_to = models.DateField("备案期止")
    status = models.CharField("状态", max_length=12, choices=FilingStatus.choices,
                              default=FilingStatus.APPLIED)
    reason = models.CharField("原因", max_length=300, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="申请人", null=True,
                                     blank=True, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField("申请时间", auto_now_add=True)
    decided_at = models.DateTimeField("备案时间", null=True, blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = ScopedManager()
    scope = ScopeSpec(regions=("institution__region",), institutions=("institution",))

    class Meta:
        ordering = ["institution__region__code", "institution__name", "-valid_from"]
        verbose_name = "评价机构备案"
        verbose_name_plural = "评价机构备案"
        permissions = [("review_bodyfiling", "审核评价机构备案")]
        constraints = [
            models.CheckConstraint(condition=models.Q(valid_to__gte=models.F("valid_from")),
                                   name="filing_period_in_order"),
        ]

    def __str__(self):
        return f"{self.institution.name}（{self.get_kind_display()}）"


class PlanStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    FILED = "filed", "已报备（待审核）"
    RETURNED = "returned", "退回修改"
    REJECTED = "rejected", "不予通过"
    APPROVED = "approved", "已批准"
    HELD = "held", "已考核（成绩待发布）"
    PUBLISHED = "published", "成绩已发布"


class EvaluationPlan(models.Model):
    """A 考核计划: one sitting of one occupation (工种) and level, at a venue on a date, with
    its examiners and candidates. Reviewed by the chain before it is held."""

    filing = models.ForeignKey(BodyFiling, verbose_name="评价机构备案", on_delete=models.PROTECT,
                               related_name="plans")
    code = models.CharField("计划编号", max_length=24, unique=True)
    name = models.CharField("计划名称", max_length=120)
    evaluation_type = models.ForeignKey(EvaluationType, verbose_name="评价类型",
                                        on_delete=models.PROTECT, related_name="+")
    occupation = models.ForeignKey(Occupation, verbose_name="职业", on_delete=models.PROTECT,
                                   related_name="+")
    work_type = models.ForeignKey(WorkType, verbose_name="工种", null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    level = models.ForeignKey(SkillLevel, verbose_name="等级", on_delete=models.PROTECT,
                              related_name="+")
    region = models.ForeignKey(Region, verbose_name="考核地区", on_delete=models.PROTECT,
                               related_name="+")
    site = models.PositiveSmallIntegerField("考核站点编号", default=1,
                                            help_text="本机构的考核站点（1–999），编入证书编号")
    venue = models.CharField("考核地点", max_length=200)
    exam_date = models.DateField("考核日期")
    status = models.CharField("状态", max_length=12, choices=PlanStatus.choices,
                              default=PlanStatus.DRAFT)
    reason = models.CharField("原因", max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="填报人", null=True,
                                   blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("填报时间", auto_now_add=True)
    results_entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="成绩录入人",
                                           null=True, blank=True, on_delete=models.PROTECT,
                                           related_name="+")
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="成绩发布人",
                                     null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    published_at = models.DateTimeField("成绩发布时间", null=True, blank=True)

    objects = ScopedManager()
    scope = ScopeSpec(regions=("region", "filing__institution__region"),
                      institutions=("filing__institution",))

    class Meta:
        ordering = ["-exam_date", "-pk"]
        verbose_name = "考核计划"
        verbose_name_plural = "考核计划"
        permissions = [("review_evaluationplan", "审核考核计划"),
                       ("publish_evaluationplan", "确认发布考核成绩")]
        constraints = [
            models.CheckConstraint(condition=models.Q(site__gte=1, site__lte=999),
                                   name="plan_site_in_range"),
        ]

    def __str__(self):
        return self.name


class Examiner(models.Model):
    """A 考评员 of a plan: a person of the registry."""

    plan = models.ForeignKey(EvaluationPlan, verbose_name="考核计划", on_delete=models.CASCADE,
                             related_name="examiners")
    person = models.ForeignKey(Person, verbose_name="考评员", on_delete=models.PROTECT,
                               related_name="+")
    number = models.CharField("考评员证号", max_length=40, blank=True)

    objects = ScopedManager()
    scope = ScopeSpec(regions=("plan__region", "plan__filing__institution__region"),
                      institutions=("plan__filing__institution",))

    class Meta:
        ordering = ["plan_id", "pk"]
        verbose_name = "考评员"
        verbose_name_plural = "考评员"
        constraints = [
            models.UniqueConstraint(fields=["plan", "person"], name="examiner_once_per_plan"),
        ]

    def __str__(self):
        return self.person.name


class CandidateSource(models.TextChoices):
    COMPLETION = "completion", "培训结业"
    DIRECT = "direct", "直接报名"


class Candidate(models.Model):
    """A person sitting a plan: from a completed enrolment, or registered directly where the
    evaluation type allows it."""

    plan = models.ForeignKey(EvaluationPlan, verbose_name="考核计划", on_delete=models.CASCADE,
                             related_name="candidates")
    person = models.ForeignKey(Person, verbose_name="考生", on_delete=models.PROTECT,
                               related_name="evaluation_candidacies")
    enrolment = models.ForeignKey(Enrolment, verbose_name="结业的培训", null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    source = models.CharField("来源", max_length=12, choices=CandidateSource.choices)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人", null=True,
                                 blank=True, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField("登记时间", auto_now_add=True)

    objects = ScopedManager()
    scope = ScopeSpec(regions=("plan__region", "plan__filing__institution__region"),
                      institutions=("plan__filing__institution",), owners=("person__user",))

    class Meta:
        ordering = ["plan_id", "pk"]
        verbose_name = "考生"
        verbose_name_plural = "考生"
        constraints = [
            models.UniqueConstraint(fields=["plan", "person"], name="candidate_once_per_plan"),
        ]

    def __str__(self):
        return f"{self.person.name} · {self.plan.name}"


class ResultStatus(models.TextChoices):
    ENTERED = "entered", "已录入"
    PUBLISHED = "published", "已发布"
    CORRECTION = "correction", "更正待审核"
    SUPERSEDED = "superseded", "已被更正"
    REJECTED = "rejected", "更正未通过"


class Result(models.Model):
    """A candidate's scores. Entered until the plan's results are published; then fixed: a
    correction is a new record, reviewed, that supersedes it."""

    candidate = models.ForeignKey(Candidate, verbose_name="考生", on_delete=models.PROTECT,
                                  related_name="results")
    theory_score = models.DecimalField("理论成绩", max_digits=4, decimal_places=1, null=True,
                                       blank=True)
    practical_score = models.DecimalField("实操成绩", max_digits=4, decimal_places=1)
    passed = models.BooleanField("合格")
    status = models.CharField("状态", max_length=12, choices=ResultStatus.choices,
                              default=ResultStatus.ENTERED)
    corrects = models.ForeignKey("self", verbose_name="更正的成绩", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="corrections")
    reason = models.CharField("更正原因", max_length=300, blank=True)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="录入人", null=True,
                                   blank=True, on_delete=models.PROTECT, related_name="+")
    entered_at = models.DateTimeField("录入时间", auto_now_add=True)

    objects = ScopedManager()
    scope = ScopeSpec(regions=("candidate__plan__region",
                               "candidate__plan__filing__institution__region"),
                      institutions=("candidate__plan__filing__institution",),
                      owners=("candidate__person__user",))

    class Meta:
        ordering = ["candidate_id", "pk"]
        verbose_name = "考核成绩"
        verbose_name_plural = "考核成绩"
        constraints = [
            # one standing result per candidate (entered or published); corrections wait
            models.UniqueConstraint(
                fields=["candidate"], name="result_one_standing",
                condition=models.Q(status__in=["entered", "published"])),
            models.CheckConstraint(
                condition=models.Q(practical_score__gte=0, practical_score__lte=100)
                & (models.Q(theory_score__isnull=True)
                   | models.Q(theory_score__gte=0, theory_score__lte=100)),
                name="result_scores_in_range"),
        ]

    def __str__(self):
        return f"{self.candidate.person.name}：{'合格' if self.passed else '不合格'}"


class CertificateStatus(models.TextChoices):
    VALID = "valid", "有效"
    REVOKED = "revoked", "已撤销"


class Certificate(models.Model):
    """A certificate issued for a published pass. `number` is the national layout
    (certificates.py: number_layout); the QR code carries a payload signed with the Ed25519
    key `key_id`.

    Certificates are written by one INSERT … SELECT per publication (certificates.py): the
    plan, body, region, occupation, 工种, level and evaluation type are the locked plan's own
    values, the same on every row, so the database does not check them row by row (a
    publication of 100,000 would queue 700,000 foreign-key checks for its commit); the holder
    and the result differ per row and are checked. Only the columns reads filter by are
    indexed (the holder through (person, status))."""

    number = models.CharField("证书编号", max_length=22, unique=True)
    person = models.ForeignKey(Person, verbose_name="持证人", on_delete=models.PROTECT,
                               related_name="certificates", db_index=False)
    result = models.OneToOneField(Result, verbose_name="考核成绩", on_delete=models.PROTECT,
                                  related_name="certificate")
    plan = models.ForeignKey(EvaluationPlan, verbose_name="考核计划", on_delete=models.PROTECT,
                             related_name="certificates", db_constraint=False)
    body = models.ForeignKey(Institution, verbose_name="评价机构", on_delete=models.PROTECT,
                             related_name="+", db_constraint=False)
    region = models.ForeignKey(Region, verbose_name="发证地区", on_delete=models.PROTECT,
                               related_name="+", db_constraint=False)
    occupation = models.ForeignKey(Occupation, verbose_name="职业", on_delete=models.PROTECT,
                                   related_name="+", db_constraint=False, db_index=False)
    work_type = models.ForeignKey(WorkType, verbose_name="工种", null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+",
                                  db_constraint=False, db_index=False)
    level = models.ForeignKey(SkillLevel, verbose_name="等级", on_delete=models.PROTECT,
                              related_name="+", db_constraint=False, db_index=False)
    evaluation_type = models.ForeignKey(EvaluationType, verbose_name="评价类型",
                                        on_delete=models.PROTECT, related_name="+",
                                        db_constraint=False, db_index=False)
    issued_on = models.DateField("发证日期")
    status = models.CharField("状态", max_length=10, choices=CertificateStatus.choices,
                              default=CertificateStatus.VALID)
    key_id = models.CharField("签名密钥编号", max_length=16)
    signature = models.CharField("签名", max_length=100)
    revoked_reason = models.CharField("撤销原因", max_length=300, blank=True)
    revoked_at = models.DateTimeField("撤销时间", null=True, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="撤销人", null=True,
                                   blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("生成时间", auto_now_add=True)

    objects = ScopedManager()
    scope = ScopeSpec(regions=("region", "body__region"), institutions=("body",),
                      owners=("person__user",))

    class Meta:
        ordering = ["-issued_on", "-pk"]
        verbose_name = "职业技能等级证书"
        verbose_name_plural = "职业技能等级证书"
        permissions = [("revoke_certificate", "撤销证书")]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "occupation", "level"], name="certificate_one_valid",
                condition=models.Q(status="valid")),
        ]
        indexes = [models.Index(fields=["person", "status"], name="certificate_person")]

    def __str__(self):
        return self.number


class CertificateSerial(models.Model):
    """The last serial number a body issued in a year: certificates of one publication take
    the next ones under this row's lock."""

    body = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["body", "year"], name="serial_per_body_year"),
        ]

    def __str__(self):
        return f"{self.body_id}/{self.year}: {self.last}"
