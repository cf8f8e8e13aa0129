"""Designated training institutions (定点培训机构), their teachers and yearly engagements, and
the yearly training report of vocational and technical schools. Rules live in services.py."""

from django.conf import settings
from django.db import models

from jineng.catalog.models import Occupation, SkillLevel
from jineng.core.scope import ScopedManager, ScopeSpec
from jineng.orgs.models import Institution, Region
from jineng.people.models import Person

# Institution kinds that may apply for designation.
TRAINING_KINDS = ("training", "technical_school")


class Ownership(models.TextChoices):
    PRIVATE = "private", "民办"
    PUBLIC = "public", "公办"


class DesignationStatus(models.TextChoices):
    APPLIED = "applied", "已申请（待审核）"
    RETURNED = "returned", "退回修改"
    REJECTED = "rejected", "不予认定"
    DESIGNATED = "designated", "定点"
    SUSPENDED = "suspended", "暂停"
    EXITED = "exited", "已退出"


class Designation(models.Model):
    """An institution's designation for occupations and levels over a period."""

    institution = models.ForeignKey(Institution, verbose_name="机构", on_delete=models.PROTECT,
                                    related_name="designations")
    ownership = models.CharField("举办性质", max_length=10, choices=Ownership.choices)
    occupations = models.ManyToManyField(Occupation, verbose_name="培训职业", related_name="+")
    levels = models.ManyToManyField(SkillLevel, verbose_name="培训等级", related_name="+")
    valid_from = models.DateField("定点期起")
    valid_to = models.DateField("定点期止")
    status = models.CharField("状态", max_length=12, choices=DesignationStatus.choices,
                              default=DesignationStatus.APPLIED)
    reason = models.CharField("原因", max_length=300, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="申请人", null=True,
                                     blank=True, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField("申请时间", auto_now_add=True)
    decided_at = models.DateTimeField("认定时间", null=True, blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = ScopedManager()
    scope = ScopeSpec(regions=("institution__region",), institutions=("institution",))

    class Meta:
        ordering = ["institution__region__code", "institution__name", "-valid_from"]
        verbose_name = "定点培训机构认定"
        verbose_name_plural = "定点培训机构认定"
        permissions = [("review_designation", "审核定点培训机构")]
        constraints = [
            models.CheckConstraint(condition=models.Q(valid_to__gte=models.F("valid_from")),
                                   name="designation_period_in_order"),
        ]
        indexes = [models.Index(fields=["status", "valid_to"], name="designation_status")]

    def __str__(self):
        return f"{self.institution.name}（{self.get_status_display()}）"


class Teacher(models.Model):
    """A teacher is a person of the registry, with their qualifications. `institution` is the
    one that registered them; others engage them too (Engagement)."""

    person = models.OneToOneField(Person, verbose_name="人员", on_delete=models.PROTECT,
                                  related_name="teacher")
    institution = models.ForeignKey(Institution, verbose_name="登记机构",
                                    on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey(Region, verbose_name="登记地区", on_delete=models.PROTECT,
                               related_name="+")
    qualification_number = models.CharField("上岗资格证号", max_length=40)
    qualification_expires = models.DateField("上岗资格有效期至")
    dual_qualified = models.BooleanField("双师型", default=False)
    certificates = models.TextField("职业技能等级证书", blank=True)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = ScopedManager()
    scope = ScopeSpec(regions=("region",), institutions=("institution",))

    class Meta:
        ordering = ["pk"]
        verbose_name = "培训教师"
        verbose_name_plural = "培训教师"

    def __str__(self):
        return f"{self.person.name}（{self.qualification_number}）"


class EngagementKind(models.TextChoices):
    FULL_TIME = "full_time", "专职"
    PART_TIME = "part_time", "兼职"


class Engagement(models.Model):
    """A teacher's engagement with an institution for one calendar year."""

    teacher = models.ForeignKey(Teacher, verbose_name="教师", on_delete=models.PROTECT,
                                related_name="engagements")
    institution = models.ForeignKey(Institution, verbose_name="聘用机构",
                                    on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField("年度")
    kind = models.CharField("聘用方式", max_length=10, choices=EngagementKind.choices)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    objects = ScopedManager()
    scope = ScopeSpec(regions=("institution__region",), institutions=("institution",))

    class Meta:
        ordering = ["-year", "teacher_id"]
        verbose_name = "教师聘用"
        verbose_name_plural = "教师聘用"
        constraints = [
            models.UniqueConstraint(fields=["teacher", "institution", "year"],
                                    name="engagement_once_per_year"),
        ]
        indexes = [models.Index(fields=["institution", "year"], name="engagement_year")]

    def __str__(self):
        return f"{self.teacher.person.name} {self.year} {self.get_kind_display()}"


class SchoolReport(models.Model):
    """A vocational or technical school's year: enrolled students, and the training
    person-times the school or an officer enters until classes land in the system."""

    institution = models.ForeignKey(Institution, verbose_name="院校", on_delete=models.PROTECT,
                                    related_name="+")
    year = models.PositiveSmallIntegerField("年度")
    enrolled_students = models.PositiveIntegerField("在校生人数")
    training_person_times = models.PositiveIntegerField("培训人次（填报）", null=True,
                                                        blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="填报人", null=True,
                                   blank=True, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = ScopedManager()
    scope = ScopeSpec(regions=("institution__region",), institutions=("institution",))

    class Meta:
        ordering = ["-year", "institution__name"]
        verbose_name = "院校培训年报"
        verbose_name_plural = "院校培训年报"
        constraints = [
            models.UniqueConstraint(fields=["institution", "year"], name="school_report_per_year"),
        ]

    def __str__(self):
        return f"{self.institution.name} {self.year}"

    @property
    def required_person_times(self) -> int:
        """Half the enrolled students, rounded up (seed 001 §四: 不得少于在校生人数的50%)."""
        return (self.enrolled_students + 1) // 2

    @property
    def is_short(self) -> bool:
        return (self.training_person_times or 0) < self.required_person_times
