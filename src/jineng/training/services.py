"""Every write of training: validate, change, audit, in one transaction. One service per
arrow of a designation's states; `designation_approve`, `designation_return` and
`designation_reject` are what the review chain's callbacks call (core/review.py)."""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from jineng.catalog.models import Occupation, SkillLevel
from jineng.core.audit import audit_record
from jineng.core.codes import clean_text
from jineng.core.errors import Conflict, NotFound, ServiceError
from jineng.core.refusals import require, require_institution, require_visible
from jineng.core.review import review_submit
from jineng.orgs.models import Institution, InstitutionStatus
from jineng.people import services as people_services
from jineng.people.models import Person
from jineng.training import selectors
from jineng.training.events import TrainingAction
from jineng.training.lock_objects import designation_lock, institution_lock, teacher_lock
from jineng.training.models import (
    TRAINING_KINDS,
    Designation,
    DesignationStatus,
    Engagement,
    EngagementKind,
    Ownership,
    SchoolReport,
    Teacher,
)

PART_TIME_LIMIT = 3  # seed 001 §九: 兼职教师1年内任职不得超过3家培训机构
REASON_MAX = 300


def _fail(field: str, message: str, code: str | None = None) -> ServiceError:
    return ServiceError(message, code=code, errors={field: message})


def _reason(reason: str, what: str) -> str:
    reason = clean_text(reason or "")
    if not reason:
        raise _fail("reason", f"{what}须填写原因")
    if len(reason) > REASON_MAX:
        raise _fail("reason", f"原因最多 {REASON_MAX} 字")
    return reason


def _summary(designation: Designation) -> dict:
    return {
        "institution": designation.institution.name,
        "ownership": designation.ownership,
        "occupations": sorted(o.code for o in designation.occupations.all()),
        "levels": sorted(level.code for level in designation.levels.all()),
        "valid_from": designation.valid_from, "valid_to": designation.valid_to,
    }


def _move(*, actor, designation: Designation, to: str, action: str, reason: str = "",
          decided: bool = False) -> Designation:
    before = designation.status
    designation.status = to
    designation.reason = reason
    if decided:
        designation.decided_at = timezone.now()
    designation.save(update_fields=["status", "reason", "decided_at", "updated_at"])
    changes = {"status": [before, to]}
    if reason:
        changes["reason"] = [None, reason]
    audit_record(actor=actor, action=action, obj=designation, changes=changes)
    return designation


# ---------------------------------------------------------------- designation: applying


def _application_clean(*, institution: Institution, ownership: str, occupations, levels,
                       valid_from, valid_to) -> tuple[list[Occupation], list[SkillLevel]]:
    if institution.kind not in TRAINING_KINDS:
        raise _fail("institution", f"「{institution.name}」不是培训机构或技工院校，不能申请定点")
    if institution.status != InstitutionStatus.ACTIVE:
        raise _fail("institution", f"「{institution.name}」的机构状态为"
                                   f"「{institution.get_status_display()}」，不能申请定点")
    if ownership not in Ownership.values:
        raise _fail("ownership", "请选择举办性质（民办或公办）")
    occupations, levels = list(occupations or []), list(levels or [])
    if not occupations:
        raise _fail("occupations", "请至少选择一个培训职业")
    old = [o.code for o in occupations if not o.is_current]
    if old:
        raise _fail("occupations", f"职业 {'、'.join(old)} 不属于现行职业分类大典，请选择现行职业")
    if not levels:
        raise _fail("levels", "请至少选择一个培训等级")
    if valid_from is None or valid_to is None:
        raise _fail("valid_to", "请填写定点期起止日期")
    if valid_to < valid_from:
        raise _fail("valid_to", f"定点期止（{valid_to}）早于定点期起（{valid_from}）")
    return occupations, levels


def _no_live_designation(institution: Institution, exclude_pk=None) -> None:
    live = Designation.objects.filter(institution=institution, status__in=selectors.LIVE)
    if exclude_pk:
        live = live.exclude(pk=exclude_pk)
    current = live.first()
    if current is None:
        return
    if current.status == DesignationStatus.SUSPENDED:
        raise _fail("institution", f"「{institution.name}」的定点资格已暂停，"
                                   "暂停期间不能申请新的定点", code="suspended")
    message = (f"「{institution.name}」已有状态为「{current.get_status_display()}」的定点记录，"
               "不能重复申请")
    raise Conflict(message, errors={"institution": message})


@transaction.atomic
def designation_submit(*, actor, institution: Institution, ownership: str, occupations,
                       levels, valid_from: dt.date, valid_to: dt.date) -> Designation:
    """An institution applies for designation (→ applied)."""
    require_institution(actor, Designation, "add", institution)
    institution = institution_lock(institution)
    occupations, levels = _application_clean(
        institution=institution, ownership=ownership, occupations=occupations, levels=levels,
        valid_from=valid_from, valid_to=valid_to)
    _no_live_designation(institution)
    designation = Designation.objects.create(
        institution=institution, ownership=ownership, valid_from=valid_from, valid_to=valid_to,
        status=DesignationStatus.APPLIED, submitted_by=actor)
    designation.occupations.set(occupations)
    designation.levels.set(levels)
    audit_record(actor=actor, action=TrainingAction.DESIGNATION_SUBMIT, obj=designation,
                 changes={k: [None, v] for k, v in _summary(designation).items()})
    review_submit(actor=actor, kind="designation", subject=designation)
    return designation


@transaction.atomic
def designation_resubmit(*, actor, designation: Designation, ownership: str, occupations,
                         levels, valid_from: dt.date, valid_to: dt.date) -> Designation:
    """A returned application, changed and filed again (returned → applied)."""
    require_visible(actor, designation, "add")
    designation = designation_lock(designation)
    if designation.status != DesignationStatus.RETURNED:
        raise _fail("status", f"只有退回修改的申请可以重新提交，该申请当前为"
                              f"「{designation.get_status_display()}」", code="wrong_state")
    occupations, levels = _application_clean(
        institution=designation.institution, ownership=ownership, occupations=occupations,
        levels=levels, valid_from=valid_from, valid_to=valid_to)
    _no_live_designation(designation.institution, exclude_pk=designation.pk)
    before = _summary(designation)
    designation.ownership, designation.valid_from, designation.valid_to = (
        ownership, valid_from, valid_to)
    designation.save(update_fields=["ownership", "valid_from", "valid_to", "updated_at"])
    designation.occupations.set(occupations)
    designation.levels.set(levels)
    after = _summary(designation)
    changed = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
    _move(actor=actor, designation=designation, to=DesignationStatus.APPLIED,
          action=TrainingAction.DESIGNATION_RESUBMIT)
    if changed:
        audit_record(actor=actor, action=TrainingAction.DESIGNATION_RESUBMIT, obj=designation,
                     changes=changed)
    review_submit(actor=actor, kind="designation", subject=designation)
    return designation


# ---------------------------------------------------------------- designation: review


def _reviewable(actor, designation: Designation, verb: str) -> Designation:
    require(actor, "training.review_designation", message="没有审核定点培训机构的权限")
    require_visible(actor, designation, "review")
    designation = designation_lock(designation)
    if designation.status != DesignationStatus.APPLIED:
        raise _fail("status", f"该申请当前为「{designation.get_status_display()}」，"
                              f"只有待审核的申请可以{verb}", code="wrong_state")
    return designation


@transaction.atomic
def designation_approve(*, actor, designation: Designation) -> Designation:
    """applied → designated. A private institution's teachers for the year the period starts
    must keep the 1/3 full-time rule."""
    designation = _reviewable(actor, designation, "认定")
    problem = selectors.full_time_share_problem(designation.institution,
                                                designation.valid_from.year,
                                                ownership=designation.ownership)
    if problem:
        raise _fail("teachers", problem, code="full_time_share")
    return _move(actor=actor, designation=designation, to=DesignationStatus.DESIGNATED,
                 action=TrainingAction.DESIGNATION_APPROVE, decided=True)


@transaction.atomic
def designation_return(*, actor, designation: Designation, reason: str) -> Designation:
    """applied → returned (for changes, back to the institution)."""
    reason = _reason(reason, "退回修改")
    designation = _reviewable(actor, designation, "退回")
    return _move(actor=actor, designation=designation, to=DesignationStatus.RETURNED,
                 action=TrainingAction.DESIGNATION_RETURN, reason=reason)


@transaction.atomic
def designation_reject(*, actor, designation: Designation, reason: str) -> Designation:
    """applied → rejected."""
    reason = _reason(reason, "不予认定")
    designation = _reviewable(actor, designation, "不予认定")
    return _move(actor=actor, designation=designation, to=DesignationStatus.REJECTED,
                 action=TrainingAction.DESIGNATION_REJECT, reason=reason, decided=True)


# ---------------------------------------------------------------- designation: supervision


def _supervised(actor, designation: Designation) -> Designation:
    require(actor, "training.change_designation", message="没有管理定点培训机构的权限")
    require_visible(actor, designation, "change")
    return designation_lock(designation)


@transaction.atomic
def designation_suspend(*, actor, designation: Designation, reason: str) -> Designation:
    """designated → suspended, with a reason: no new classes while suspended."""
    reason = _reason(reason, "暂停定点资格")
    designation = _supervised(actor, designation)
    if designation.status != DesignationStatus.DESIGNATED:
        raise _fail("status", f"只有定点状态的机构可以暂停，该记录当前为"
                              f"「{designation.get_status_display()}」", code="wrong_state")
    return _move(actor=actor, designation=designation, to=DesignationStatus.SUSPENDED,
                 action=TrainingAction.DESIGNATION_SUSPEND, reason=reason)


@transaction.atomic
def designation_exit(*, actor, designation: Designation, reason: str) -> Designation:
    """designated or suspended → exited (退出), with a reason; final."""
    reason = _reason(reason, "退出定点")
    designation = _supervised(actor, designation)
    if designation.status not in (DesignationStatus.DESIGNATED, DesignationStatus.SUSPENDED):
        raise _fail("status", f"只有定点或暂停状态的机构可以退出，该记录当前为"
                              f"「{designation.get_status_display()}」", code="wrong_state")
    return _move(actor=actor, designation=designation, to=DesignationStatus.EXITED,
                 action=TrainingAction.DESIGNATION_EXIT, reason=reason)


# ---------------------------------------------------------------- teachers


def _own_institution(actor, institution: Institution, model, action: str) -> None:
    require_institution(actor, model, action, institution)
    if institution.kind not in TRAINING_KINDS:
        raise _fail("institution", f"「{institution.name}」不是培训机构或技工院校")


def _qualification_clean(number: str, expires) -> str:
    number = clean_text(number or "")
    if not number:
        raise _fail("qualification_number", "请填写上岗资格证号")
    if len(number) > 40:
        raise _fail("qualification_number", "上岗资格证号最多 40 位")
    if expires is None:
        raise _fail("qualification_expires", "请填写上岗资格有效期")
    return number


@transaction.atomic
def teacher_register(*, actor, institution: Institution, person: Person,
                     qualification_number: str, qualification_expires: dt.date,
                     dual_qualified: bool = False, certificates: str = "") -> Teacher:
    """A person of the registry becomes a teacher, registered by an institution."""
    _own_institution(actor, institution, Teacher, "add")
    number = _qualification_clean(qualification_number, qualification_expires)
    existing = Teacher.objects.filter(person=person).select_related("institution").first()
    if existing is not None:
        raise Conflict(f"「{person.name}」已由「{existing.institution.name}」登记为培训教师，"
                       "请直接登记聘用", errors={"id_number": "该人员已是培训教师"})
    teacher = Teacher.objects.create(
        person=person, institution=institution, region=institution.region,
        qualification_number=number, qualification_expires=qualification_expires,
        dual_qualified=dual_qualified, certificates=clean_text(certificates or ""))
    audit_record(actor=actor, action=TrainingAction.TEACHER_REGISTER, obj=teacher, changes={
        "person": [None, person.id_masked], "qualification_number": [None, number],
        "qualification_expires": [None, qualification_expires],
        "dual_qualified": [None, dual_qualified]})
    return teacher


@transaction.atomic
def teacher_update(*, actor, teacher: Teacher, qualification_number: str,
                   qualification_expires: dt.date, dual_qualified: bool,
                   certificates: str = "") -> Teacher:
    require(actor, "training.change_teacher")
    if not Teacher.objects.restrict(actor, "change").filter(pk=teacher.pk).exists():
        raise NotFound()
    teacher = teacher_lock(teacher)
    number = _qualification_clean(qualification_number, qualification_expires)
    fields = {"qualification_number": number, "qualification_expires": qualification_expires,
              "dual_qualified": dual_qualified, "certificates": clean_text(certificates or "")}
    changes = {k: [getattr(teacher, k), v] for k, v in fields.items() if getattr(teacher, k) != v}
    for key, value in fields.items():
        setattr(teacher, key, value)
    teacher.save()
    if changes:
        audit_record(actor=actor, action=TrainingAction.TEACHER_UPDATE, obj=teacher,
                     changes=changes)
    return teacher


@transaction.atomic
def engagement_add(*, actor, teacher: Teacher, institution: Institution, year: int,
                   kind: str) -> Engagement:
    """A teacher's engagement with an institution for a calendar year. A part-time teacher
    works for at most three institutions a year; a teacher is full-time at one only."""
    _own_institution(actor, institution, Engagement, "add")
    if kind not in EngagementKind.values:
        raise _fail("kind", "请选择聘用方式（专职或兼职）")
    if not year or year < 2000 or year > 2100:
        raise _fail("year", f"年度「{year}」不正确")
    teacher = teacher_lock(teacher)
    others = list(Engagement.objects.filter(teacher=teacher, year=year)
                  .select_related("institution").order_by("pk"))
    name = teacher.person.name
    if any(e.institution_id == institution.pk for e in others):
        raise Conflict(f"「{name}」{year} 年度已受聘于「{institution.name}」",
                       errors={"teacher": "本年度已登记聘用"})
    full_time_at = [e.institution.name for e in others if e.kind == EngagementKind.FULL_TIME]
    if kind == EngagementKind.FULL_TIME and full_time_at:
        raise _fail("kind", f"「{name}」{year} 年度已是「{full_time_at[0]}」的专职教师，"
                            "不能再在其他机构专职任教", code="full_time_elsewhere")
    if kind == EngagementKind.PART_TIME and len(others) >= PART_TIME_LIMIT:
        names = "、".join(f"「{e.institution.name}」" for e in others)
        raise _fail("teacher", f"兼职教师「{name}」{year} 年度已在 {len(others)} 家机构任职"
                               f"（{names}），一年内任职不得超过 {PART_TIME_LIMIT} 家培训机构",
                    code="part_time_limit")
    engagement = Engagement.objects.create(teacher=teacher, institution=institution, year=year,
                                           kind=kind)
    audit_record(actor=actor, action=TrainingAction.ENGAGEMENT_ADD, obj=engagement, changes={
        "teacher": [None, name], "institution": [None, institution.name], "year": [None, year],
        "kind": [None, kind]})
    return engagement


# ---------------------------------------------------------------- school reports


@transaction.atomic
def school_report_set(*, actor, institution: Institution, year: int, enrolled_students: int,
                      training_person_times: int | None = None) -> SchoolReport:
    """A school's declared enrolled students and training person-times for a year (created
    or replaced). Person-times are entered until classes are recorded in the system."""
    _own_institution(actor, institution, SchoolReport, "add")
    if institution.kind != "technical_school":
        raise _fail("institution",
                    f"「{institution.name}」不是职业院校或技工院校，无需填报培训年报")
    if not year or year < 2000 or year > 2100:
        raise _fail("year", f"年度「{year}」不正确")
    if enrolled_students is None or enrolled_students < 0:
        raise _fail("enrolled_students", "请填写在校生人数（不小于 0 的整数）")
    if training_person_times is not None and training_person_times < 0:
        raise _fail("training_person_times", "培训人次不能小于 0")
    report = SchoolReport.objects.filter(institution=institution, year=year).first()
    before = ({} if report is None else
              {"enrolled_students": report.enrolled_students,
               "training_person_times": report.training_person_times})
    report = report or SchoolReport(institution=institution, year=year)
    report.enrolled_students = enrolled_students
    report.training_person_times = training_person_times
    report.updated_by = actor
    report.save()
    after = {"enrolled_students": enrolled_students,
             "training_person_times": training_person_times}
    audit_record(actor=actor, action=TrainingAction.SCHOOL_REPORT_SET, obj=report,
                 changes={k: [before.get(k), v] for k, v in after.items()
                          if before.get(k) != v})
    return report


# ---------------------------------------------------------------- by identity number (pages, API)


def _person_by_id_number(id_number: str) -> Person:
    """The registered person with this number (anywhere: a teacher may be registered in
    another county); a teacher must be registered first."""
    ident = people_services.identity_check(id_number)
    person = Person.objects.filter(
        id_hash=people_services.identity_hash(ident.doc_type, ident.number)).first()
    if person is None:
        raise _fail("id_number", "该证件号码尚未实名登记，请先在“实名登记”中登记该人员")
    return person


def teacher_by_id_number(id_number: str) -> Teacher:
    person = _person_by_id_number(id_number)
    teacher = Teacher.objects.filter(person=person).select_related("person").first()
    if teacher is None:
        raise _fail("id_number", f"「{person.name}」尚未登记为培训教师，请先登记教师资格")
    return teacher


def teacher_register_by_id(*, actor, id_number: str, **fields) -> Teacher:
    return teacher_register(actor=actor, person=_person_by_id_number(id_number), **fields)


def engagement_add_by_id(*, actor, id_number: str, **fields) -> Engagement:
    return engagement_add(actor=actor, teacher=teacher_by_id_number(id_number), **fields)
