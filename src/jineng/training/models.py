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


# ================================================================ classes (培训班) and sessions


class ClassKind(models.TextChoices):
    REGULAR = "regular", "职业技能培训"
    APPRENTICESHIP = "apprenticeship", "企业新型学徒制"


class ClassStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    FILED = "filed", "已备案（待审核）"
    RETURNED = "returned", "退回修改"
    REJECTED = "rejected", "不予备案"
    APPROVED = "approved", "已审核（可开班）"
    RUNNING = "running", "培训中"
    COMPLETED = "completed", "已结业"
    CLOSED = "closed", "已关闭"


class TrainingClass(models.Model):
    """A class (培训班) an institution files: what it trains, where, when, for whom.

    The venue's map point and radius are the geofence check-ins are measured against. An
    apprenticeship class names the enterprise whose employees are its apprentices."""

    code = models.CharField("班级编号", max_length=30, unique=True)
    name = models.CharField("班级名称", max_length=100)
    kind = models.CharField("班级类型", max_length=16, choices=ClassKind.choices,
                            default=ClassKind.REGULAR)
    institution = models.ForeignKey(Institution, verbose_name="培训机构",
                                    on_delete=models.PROTECT, related_name="+")
    enterprise = models.ForeignKey(Institution, verbose_name="学徒所在企业", null=True,
                                   blank=True, on_delete=models.PROTECT, related_name="+")
    designation = models.ForeignKey(Designation, verbose_name="定点认定", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="classes")
    programme = models.ForeignKey("catalog.Programme", verbose_name="培训项目",
                                  on_delete=models.PROTECT, related_name="+")
    occupation = models.ForeignKey(Occupation, verbose_name="职业", on_delete=models.PROTECT,
                                   related_name="+")
    work_type = models.ForeignKey("catalog.WorkType", verbose_name="工种", null=True,
                                  blank=True, on_delete=models.PROTECT, related_name="+")
    level = models.ForeignKey(SkillLevel, verbose_name="等级", on_delete=models.PROTECT,
                              related_name="+")
    region = models.ForeignKey(Region, verbose_name="培训地区", on_delete=models.PROTECT,
                               related_name="+")
    fund_source = models.ForeignKey("catalog.FundSource", verbose_name="资金来源",
                                    on_delete=models.PROTECT, related_name="+")
    venue = models.CharField("培训地点", max_length=200)
    venue_lat = models.DecimalField("地点纬度", max_digits=9, decimal_places=6)
    venue_lng = models.DecimalField("地点经度", max_digits=9, decimal_places=6)
    venue_radius_m = models.PositiveIntegerField("签到范围（米）", default=300)
    start_date = models.DateField("开班日期")
    end_date = models.DateField("结业日期")
    planned_hours = models.PositiveIntegerField("计划课时")
    capacity = models.PositiveIntegerField("计划人数")
    allows_online = models.BooleanField("允许线上学习", default=False)
    status = models.CharField("状态", max_length=12, choices=ClassStatus.choices,
                              default=ClassStatus.DRAFT)
    reason = models.CharField("原因", max_length=300, blank=True)
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="备案人", null=True,
                                 blank=True, on_delete=models.PROTECT, related_name="+")
    filed_at = models.DateTimeField("备案时间", null=True, blank=True)
    approved_at = models.DateTimeField("审核通过时间", null=True, blank=True)
    completed_at = models.DateTimeField("结业时间", null=True, blank=True)
    results_submitted_at = models.DateTimeField("考勤与结业结果提交时间", null=True, blank=True)
    results_late = models.BooleanField("逾期提交", default=False)
    late_approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="逾期审批人",
                                         null=True, blank=True, on_delete=models.PROTECT,
                                         related_name="+")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = ScopedManager()
    scope = ScopeSpec(regions=("region", "institution__region"),
                      institutions=("institution", "enterprise"))

    class Meta:
        ordering = ["-start_date", "-pk"]
        verbose_name = "培训班"
        verbose_name_plural = "培训班"
        permissions = [("review_trainingclass", "审核培训班备案")]
        constraints = [
            models.CheckConstraint(condition=models.Q(end_date__gte=models.F("start_date")),
                                   name="class_dates_in_order"),
        ]
        indexes = [
            models.Index(fields=["status", "region"], name="class_status_region"),
            models.Index(fields=["institution", "status"], name="class_institution"),
            models.Index(fields=["occupation", "status"], name="class_occupation"),
        ]

    def __str__(self):
        return f"{self.name}（{self.code}）"


class ClassTeacherRole(models.TextChoices):
    TEACHER = "teacher", "授课教师"
    SCHOOL_TEACHER = "school_teacher", "院校导师"


class ClassTeacher(models.Model):
    training_class = models.ForeignKey(TrainingClass, verbose_name="培训班",
                                       on_delete=models.CASCADE, related_name="teachers")
    teacher = models.ForeignKey(Teacher, verbose_name="教师", on_delete=models.PROTECT,
                                related_name="classes")
    role = models.CharField("角色", max_length=16, choices=ClassTeacherRole.choices,
                            default=ClassTeacherRole.TEACHER)

    objects = ScopedManager()
    scope = ScopeSpec(regions=("training_class__region", "training_class__institution__region"),
                      institutions=("training_class__institution",))

    class Meta:
        ordering = ["pk"]
        verbose_name = "培训班教师"
        verbose_name_plural = "培训班教师"
        constraints = [
            models.UniqueConstraint(fields=["training_class", "teacher"],
                                    name="class_teacher_once"),
        ]

    def __str__(self):
        return f"{self.teacher.person.name}（{self.get_role_display()}）"


class ClassChangeStatus(models.TextChoices):
    FILED = "filed", "待审核"
    APPROVED = "approved", "已通过"
    RETURNED = "returned", "退回修改"
    REJECTED = "rejected", "不予通过"


class ClassChange(models.Model):
    """A change to an approved class (teachers, venue, timetable), filed and reviewed before
    it applies; until then the class runs as approved."""

    training_class = models.ForeignKey(TrainingClass, verbose_name="培训班",
                                       on_delete=models.PROTECT, related_name="changes")
    proposed = models.JSONField("变更内容")
    status = models.CharField("状态", max_length=10, choices=ClassChangeStatus.choices,
                              default=ClassChangeStatus.FILED)
    reason = models.CharField("原因", max_length=300, blank=True)
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="申请人", null=True,
                                 blank=True, on_delete=models.PROTECT, related_name="+")
    filed_at = models.DateTimeField("申请时间", auto_now_add=True)
    decided_at = models.DateTimeField("审核时间", null=True, blank=True)

    objects = ScopedManager()
    scope = ScopeSpec(regions=("training_class__region", "training_class__institution__region"),
                      institutions=("training_class__institution",))

    class Meta:
        ordering = ["-filed_at", "-pk"]
        verbose_name = "培训班变更"
        verbose_name_plural = "培训班变更"

    def __str__(self):
        return f"{self.training_class.name} 变更（{self.get_status_display()}）"


class Session(models.Model):
    """One session (课次) of a class: when, who teaches, how many class hours it counts."""

    training_class = models.ForeignKey(TrainingClass, verbose_name="培训班",
                                       on_delete=models.CASCADE, related_name="sessions")
    starts_at = models.DateTimeField("开始时间")
    ends_at = models.DateTimeField("结束时间")
    hours = models.PositiveSmallIntegerField("课时")
    teacher = models.ForeignKey(Teacher, verbose_name="授课教师", on_delete=models.PROTECT,
                                related_name="sessions")
    topic = models.CharField("内容", max_length=200, blank=True)

    objects = ScopedManager()
    scope = ScopeSpec(regions=("training_class__region", "training_class__institution__region"),
                      institutions=("training_class__institution",))

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = "课次"
        verbose_name_plural = "课次"
        constraints = [
            models.CheckConstraint(condition=models.Q(ends_at__gt=models.F("starts_at")),
                                   name="session_times_in_order"),
        ]
        indexes = [
            models.Index(fields=["teacher", "starts_at"], name="session_teacher_time"),
            models.Index(fields=["training_class", "starts_at"], name="session_class_time"),
        ]

    def __str__(self):
        return f"{self.training_class.name} {self.starts_at:%Y-%m-%d %H:%M}"


# ================================================================ enrolment


class EnrolmentStatus(models.TextChoices):
    ENROLLED = "enrolled", "在训"
    COMPLETED = "completed", "已结业"
    FAILED = "failed", "未通过"
    WITHDRAWN = "withdrawn", "已退学"


class EnrolmentSource(models.TextChoices):
    PAGE = "page", "机构逐个报名"
    ROSTER = "roster", "花名册导入"
    SELF = "self", "本人报名"
    API = "api", "接口"


class Enrolment(models.Model):
    """A person in a class. An apprentice has an enterprise mentor (a person of the registry,
    the enterprise's employee) and a school teacher."""

    # Each index costs a roster enrolment a write per row: the class and the person are
    # covered by the (class, person) and (person, status) indexes of Meta, and mentor,
    # school teacher and who enrolled are never looked up by (only shown). The class, the
    # person and who enrolled are checked once per statement by triggers (migration
    # 0003_enrol_references), not by foreign keys row by row: a roster of 100,000 would
    # otherwise queue 300,000 trigger events for the commit. A later migration that alters
    # Enrolment on SQLite rebuilds the table and must create its triggers again.
    training_class = models.ForeignKey(TrainingClass, verbose_name="培训班",
                                       on_delete=models.PROTECT, related_name="enrolments",
                                       db_index=False, db_constraint=False)
    person = models.ForeignKey(Person, verbose_name="学员", on_delete=models.PROTECT,
                               related_name="enrolments", db_index=False, db_constraint=False)
    status = models.CharField("状态", max_length=10, choices=EnrolmentStatus.choices,
                              default=EnrolmentStatus.ENROLLED)
    source = models.CharField("报名方式", max_length=10, choices=EnrolmentSource.choices,
                              default=EnrolmentSource.PAGE)
    mentor = models.ForeignKey(Person, verbose_name="企业导师", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+", db_index=False)
    school_teacher = models.ForeignKey(Teacher, verbose_name="院校导师", null=True, blank=True,
                                       on_delete=models.PROTECT, related_name="+",
                                       db_index=False)
    enrolled_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="报名经办人",
                                    null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", db_index=False, db_constraint=False)
    enrolled_at = models.DateTimeField("报名时间", auto_now_add=True)
    attended_hours = models.DecimalField("出勤课时", max_digits=7, decimal_places=2, default=0)
    online_hours = models.DecimalField("线上学时（计入）", max_digits=7, decimal_places=2,
                                       default=0)
    attendance_share = models.DecimalField("出勤率", max_digits=5, decimal_places=4, null=True,
                                           blank=True)
    exam_score = models.DecimalField("结业考核成绩", max_digits=5, decimal_places=1, null=True,
                                     blank=True)
    exam_passed = models.BooleanField("考核通过", null=True, blank=True)
    completed_at = models.DateTimeField("结业时间", null=True, blank=True)
    reason = models.CharField("原因", max_length=300, blank=True)

    objects = ScopedManager()
    scope = ScopeSpec(regions=("training_class__region", "training_class__institution__region"),
                      institutions=("training_class__institution",
                                    "training_class__enterprise"),
                      owners=("person__user",))

    class Meta:
        ordering = ["training_class_id", "pk"]
        verbose_name = "报名"
        verbose_name_plural = "报名"
        constraints = [
            models.UniqueConstraint(fields=["training_class", "person"],
                                    name="enrolment_once_per_class"),
        ]
        indexes = [
            models.Index(fields=["person", "status"], name="enrolment_person"),
            models.Index(fields=["training_class", "status"], name="enrolment_class_status"),
        ]

    def __str__(self):
        return f"{self.person.name} · {self.training_class.name}"


# ================================================================ attendance


class CheckKind(models.TextChoices):
    IN = "in", "签到"
    OUT = "out", "签退"


class AttendanceStatus(models.TextChoices):
    CONFIRMED = "confirmed", "已确认"
    UNCONFIRMED = "unconfirmed", "待确认"
    REJECTED = "rejected", "不予认可"
    VOIDED = "voided", "已作废"


class AttendanceFlag(models.TextChoices):
    OUTSIDE_VENUE = "outside_venue", "不在培训地点范围内"
    SHARED_DEVICE = "shared_device", "同一设备为多名学员签到"
    AFTER_WINDOW = "after_window", "超出签到时段"
    IMPOSSIBLE_TRAVEL = "impossible_travel", "短时间内在相距过远的两地签到"
    MANUAL = "manual", "人工补录"


class Attendance(models.Model):
    """One check-in or check-out of an enrolment at a session. Flags mark what a supervisor
    should look at; a flagged record is kept (unconfirmed), never silently dropped."""

    enrolment = models.ForeignKey(Enrolment, verbose_name="报名", on_delete=models.PROTECT,
                                  related_name="attendances")
    session = models.ForeignKey(Session, verbose_name="课次", on_delete=models.PROTECT,
                                related_name="attendances")
    kind = models.CharField("类型", max_length=3, choices=CheckKind.choices)
    at = models.DateTimeField("时间")
    lat = models.DecimalField("纬度", max_digits=9, decimal_places=6, null=True, blank=True)
    lng = models.DecimalField("经度", max_digits=9, decimal_places=6, null=True, blank=True)
    distance_m = models.PositiveIntegerField("距培训地点（米）", null=True, blank=True)
    device_id = models.CharField("设备标识", max_length=80, blank=True)
    status = models.CharField("状态", max_length=12, choices=AttendanceStatus.choices,
                              default=AttendanceStatus.CONFIRMED)
    flags = models.JSONField("异常标记", default=list, blank=True)
    is_manual = models.BooleanField("人工补录", default=False)
    reason = models.CharField("原因", max_length=300, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="记录人", null=True,
                                    blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("记录时间", auto_now_add=True)

    objects = ScopedManager()
    scope = ScopeSpec(
        regions=("session__training_class__region",
                 "session__training_class__institution__region"),
        institutions=("session__training_class__institution",),
        owners=("enrolment__person__user",))

    class Meta:
        ordering = ["session_id", "enrolment_id", "kind"]
        verbose_name = "考勤记录"
        verbose_name_plural = "考勤记录"
        permissions = [("supervise_attendance", "考勤监管与人工补录")]
        constraints = [
            models.UniqueConstraint(fields=["enrolment", "session", "kind"],
                                    name="attendance_once_per_session"),
        ]
        indexes = [
            models.Index(fields=["session", "device_id"], name="attendance_device"),
            models.Index(fields=["status", "session"], name="attendance_status"),
        ]


# ================================================================ online hours, completion, ratings

    def __str__(self):
        return f"{self.enrolment.person.name} {self.get_kind_display()} {self.at:%Y-%m-%d %H:%M}"


class OnlineHours(models.Model):
    """Hours a learning platform reports for a person and course; `enrolment` is the class
    they count toward (one that allows online study), when there is one."""

    platform = models.CharField("学习平台", max_length=60)
    record_id = models.CharField("平台记录号", max_length=80)
    person = models.ForeignKey(Person, verbose_name="学员", on_delete=models.PROTECT,
                               related_name="+")
    enrolment = models.ForeignKey(Enrolment, verbose_name="计入的报名", null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="online_records")
    course = models.CharField("课程", max_length=120)
    hours = models.DecimalField("学时", max_digits=6, decimal_places=2)
    studied_on = models.DateField("学习日期")
    received_at = models.DateTimeField("接收时间", auto_now_add=True)

    objects = ScopedManager()
    scope = ScopeSpec(
        regions=("enrolment__training_class__region",),
        institutions=("enrolment__training_class__institution",),
        owners=("person__user",))

    class Meta:
        ordering = ["-studied_on", "pk"]
        verbose_name = "线上学时"
        verbose_name_plural = "线上学时"
        constraints = [
            models.UniqueConstraint(fields=["platform", "record_id"],
                                    name="online_hours_once"),
        ]

    def __str__(self):
        return f"{self.platform} {self.course} {self.hours} 学时"


class ClassRating(models.Model):
    """A completer's rating of their class (1–5 on each question)."""

    enrolment = models.OneToOneField(Enrolment, verbose_name="报名", on_delete=models.PROTECT,
                                     related_name="rating")
    institution = models.ForeignKey(Institution, verbose_name="培训机构",
                                    on_delete=models.PROTECT, related_name="+")
    scores = models.JSONField("各题评分")
    average = models.DecimalField("平均分", max_digits=3, decimal_places=2)
    comment = models.CharField("意见建议", max_length=300, blank=True)
    created_at = models.DateTimeField("评价时间", auto_now_add=True)

    objects = ScopedManager()
    scope = ScopeSpec(regions=("institution__region",), institutions=("institution",),
                      owners=("enrolment__person__user",))

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "培训评价"
        verbose_name_plural = "培训评价"
        indexes = [models.Index(fields=["institution", "created_at"], name="rating_institution")]


# ================================================================ training wishes (培训意愿摸排)

    def __str__(self):
        return f"{self.institution.name} {self.average} 分"


class WishSource(models.TextChoices):
    OFFICER = "officer", "经办人员登记"
    SELF = "self", "本人填报"
    SURVEY = "survey", "摸排花名册导入"


class TrainingWish(models.Model):
    """What a registered person wants to learn, and when and where they can attend."""

    person = models.ForeignKey(Person, verbose_name="人员", on_delete=models.PROTECT,
                               related_name="training_wishes")
    occupation = models.ForeignKey(Occupation, verbose_name="意向职业",
                                   on_delete=models.PROTECT, related_name="+")
    work_type = models.ForeignKey("catalog.WorkType", verbose_name="意向工种", null=True,
                                  blank=True, on_delete=models.PROTECT, related_name="+")
    level = models.ForeignKey(SkillLevel, verbose_name="意向等级", null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey(Region, verbose_name="可参训地区", on_delete=models.PROTECT,
                               related_name="+")
    available_from = models.DateField("可参训起", null=True, blank=True)
    available_to = models.DateField("可参训止", null=True, blank=True)
    time_note = models.CharField("可参训时段", max_length=60, blank=True)
    source = models.CharField("来源", max_length=10, choices=WishSource.choices)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人", null=True,
                                    blank=True, on_delete=models.PROTECT, related_name="+")
    is_active = models.BooleanField("有效", default=True)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    objects = ScopedManager()
    scope = ScopeSpec(regions=("region",), owners=("person__user",))

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "培训意愿"
        verbose_name_plural = "培训意愿"
        # Counts only (never names or numbers): what institutions planning classes read.
        permissions = [("summary_trainingwish", "查看培训意愿汇总（仅人数）")]
        constraints = [
            models.UniqueConstraint(fields=["person", "occupation"],
                                    condition=models.Q(is_active=True),
                                    name="wish_once_per_occupation"),
        ]
        indexes = [models.Index(fields=["region", "occupation"], name="wish_region_occupation")]

    def __str__(self):
        return f"{self.person.name} 想学 {self.occupation.name}"


class WishNotice(models.Model):
    """A worker told that a class matching their wish has opened."""

    wish = models.ForeignKey(TrainingWish, verbose_name="培训意愿", on_delete=models.CASCADE,
                             related_name="notices")
    training_class = models.ForeignKey(TrainingClass, verbose_name="培训班",
                                       on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField("通知时间", auto_now_add=True)
    read_at = models.DateTimeField("已读时间", null=True, blank=True)

    objects = ScopedManager()
    scope = ScopeSpec(regions=("wish__region",), owners=("wish__person__user",))

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "开班通知"
        verbose_name_plural = "开班通知"
        constraints = [
            models.UniqueConstraint(fields=["wish", "training_class"], name="notice_once"),
        ]

    def __str__(self):
        return f"{self.training_class.name} 开班通知"


class EnterpriseStaff(models.Model):
    """An enterprise's declared staff roster: who its employees are, until the social-insurance
    employment records (funds) say so. Apprentices must be on it."""

    enterprise = models.ForeignKey(Institution, verbose_name="企业", on_delete=models.PROTECT,
                                   related_name="+")
    person = models.ForeignKey(Person, verbose_name="职工", on_delete=models.PROTECT,
                               related_name="+")
    since = models.DateField("入职日期")
    until = models.DateField("离职日期", null=True, blank=True)
    declared_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="申报人", null=True,
                                    blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("申报时间", auto_now_add=True)

    objects = ScopedManager()
    scope = ScopeSpec(regions=("enterprise__region",), institutions=("enterprise",),
                      owners=("person__user",))

    class Meta:
        ordering = ["enterprise_id", "pk"]
        verbose_name = "企业职工申报"
        verbose_name_plural = "企业职工申报"
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "person"], name="staff_once"),
        ]

    def __str__(self):
        return f"{self.enterprise.name} · {self.person.name}"
