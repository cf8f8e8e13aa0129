"""Evaluation plans (考核计划): a body drafts a sitting of one occupation (工种) and level, names
its examiners (考评员, at least two) and candidates, and files it; the review chain approves
it before it is held (`plan_approve`, `plan_return`, `plan_reject` are its callbacks).

Who may be a candidate:
- an enterprise evaluating itself: only its employees (its declared staff on the exam date,
  until funds brings the social-insurance employment records);
- a school: only its students (people enrolled in a class the school runs);
- 专项职业能力考核 requires a completed training of the same occupation (以考促训); the other
  types also take people who register directly;
- nobody who already holds a valid certificate of this occupation and level;
- no examiner evaluates a candidate from a class they taught.
"""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from jineng.catalog.models import EvaluationType, Occupation, SkillLevel, WorkType
from jineng.core.audit import audit_record
from jineng.core.codes import clean_text
from jineng.core.errors import Conflict, field_error
from jineng.core.refusals import require, require_institution, require_visible
from jineng.core.review import review_submit
from jineng.evaluation import bodies
from jineng.evaluation.events import EvaluationAction
from jineng.evaluation.lock_objects import filing_lock, plan_lock
from jineng.evaluation.models import (
    BodyFiling,
    BodyKind,
    Candidate,
    CandidateSource,
    Certificate,
    CertificateStatus,
    EvaluationPlan,
    Examiner,
    PlanStatus,
)
from jineng.orgs.models import Region
from jineng.people.models import Person
from jineng.training.models import ClassTeacher, Enrolment, EnrolmentStatus, EnterpriseStaff

PLAN_REVIEW = "evaluation_plan"
REVIEW_PLAN = "evaluation.review_evaluationplan"
MIN_EXAMINERS = 2
COMPLETION_REQUIRED_TYPES = ("special_ability",)
EDITABLE = (PlanStatus.DRAFT, PlanStatus.RETURNED)


def _editable(actor, plan: EvaluationPlan) -> EvaluationPlan:
    require_visible(actor, plan, "change")
    plan = plan_lock(plan)
    if plan.status not in EDITABLE:
        raise field_error("status", f"考核计划「{plan.name}」当前为"
                                    f"「{plan.get_status_display()}」，"
                                    "只有草稿或退回修改的计划可以修改", code="wrong_state")
    return plan


def _plan_code(filing: BodyFiling, exam_date: dt.date) -> str:
    count = EvaluationPlan.objects.filter(filing__institution=filing.institution,
                                          exam_date__year=exam_date.year).count()
    return f"KH{exam_date:%Y}{filing.institution_id:06d}{count + 1:04d}"


@transaction.atomic
def plan_draft(*, actor, filing: BodyFiling, name: str, evaluation_type: EvaluationType,
               occupation: Occupation, level: SkillLevel, region: Region, venue: str,
               exam_date: dt.date, work_type: WorkType | None = None,
               site: int = 1) -> EvaluationPlan:
    """A body drafts a plan for what its filing allows."""
    require_institution(actor, EvaluationPlan, "add", filing.institution)
    name, venue = clean_text(name), clean_text(venue)
    if not name:
        raise field_error("name", "请填写计划名称")
    if not venue:
        raise field_error("venue", "请填写考核地点")
    if region is None:
        raise field_error("region", "请选择考核地区")
    if exam_date is None:
        raise field_error("exam_date", "请填写考核日期")
    if not 1 <= int(site or 0) <= 999:
        raise field_error("site", "考核站点编号应为 1 至 999")
    if work_type is not None and work_type.occupation_id != occupation.pk:
        raise field_error("work_type", f"工种「{work_type.name}」不属于职业「{occupation.name}」")
    if problem := bodies.filing_covers(filing, evaluation_type=evaluation_type,
                                       occupation=occupation, level=level, on_date=exam_date):
        raise field_error("occupation", problem, code="not_filed")
    filing = filing_lock(filing)  # the body's plans are numbered one at a time
    plan = EvaluationPlan.objects.create(
        filing=filing, code=_plan_code(filing, exam_date), name=name,
        evaluation_type=evaluation_type, occupation=occupation, work_type=work_type,
        level=level, region=region, site=site, venue=venue, exam_date=exam_date,
        created_by=actor)
    audit_record(actor=actor, action=EvaluationAction.PLAN_DRAFT, obj=plan, changes={
        "code": [None, plan.code], "occupation": [None, occupation.code],
        "level": [None, level.code], "evaluation_type": [None, evaluation_type.code],
        "exam_date": [None, exam_date], "venue": [None, venue]})
    return plan


def _taught(person: Person, enrolment: Enrolment | None) -> bool:
    return enrolment is not None and ClassTeacher.objects.filter(
        training_class_id=enrolment.training_class_id, teacher__person=person).exists()


@transaction.atomic
def examiner_add(*, actor, plan: EvaluationPlan, person: Person, number: str = "") -> Examiner:
    plan = _editable(actor, plan)
    if plan.examiners.filter(person=person).exists():
        raise Conflict(f"{person.name} 已是本计划的考评员", errors={"person": "已是考评员"})
    if plan.candidates.filter(person=person).exists():
        raise field_error("person", f"{person.name} 是本计划的考生，不能同时担任考评员")
    for candidate in plan.candidates.select_related("enrolment", "person"):
        if _taught(person, candidate.enrolment):
            raise field_error("person", f"{person.name} 是考生{candidate.person.name}所在培训班"
                                        "的授课教师，不能担任本计划的考评员", code="own_class")
    examiner = Examiner.objects.create(plan=plan, person=person, number=clean_text(number))
    audit_record(actor=actor, action=EvaluationAction.EXAMINER_ADD, obj=plan,
                 changes={"examiner": [None, person.pk]})
    return examiner


def _eligibility_problem(plan: EvaluationPlan, person: Person,
                         enrolment: Enrolment | None) -> str:
    filing, name = plan.filing, person.name
    if filing.kind == BodyKind.ENTERPRISE and not EnterpriseStaff.objects.filter(
            enterprise=filing.institution, person=person, since__lte=plan.exam_date).exclude(
            until__lt=plan.exam_date).exists():
        return (f"{name} 不是「{filing.institution.name}」在职职工（职工名册中没有），"
                "企业自主评价只面向本企业职工")
    if filing.kind == BodyKind.SCHOOL and not Enrolment.objects.filter(
            person=person, training_class__institution=filing.institution).exists():
        return f"{name} 不是「{filing.institution.name}」的学员，院校评价只面向本校学生"
    if plan.evaluation_type.code in COMPLETION_REQUIRED_TYPES and enrolment is None:
        return (f"{name} 没有{plan.occupation.name}的培训结业记录："
                f"{plan.evaluation_type.name}须先完成培训")
    if enrolment is not None:
        if enrolment.person_id != person.pk:
            return "所选培训记录不是该考生本人的"
        if enrolment.status != EnrolmentStatus.COMPLETED:
            return f"{name} 在「{enrolment.training_class.name}」的培训尚未结业"
        if enrolment.training_class.occupation_id != plan.occupation_id:
            return f"{name} 结业的培训班不是{plan.occupation.name}职业的培训"
    held = Certificate.objects.filter(person=person, occupation=plan.occupation,
                                      level=plan.level, status=CertificateStatus.VALID).first()
    if held:
        return (f"{name} 已持有{plan.occupation.name}{plan.level.name}的有效证书"
                f"（编号 {held.number}），同一职业同一等级只发一本证书")
    return ""


def completed_enrolment(person: Person, occupation: Occupation) -> Enrolment | None:
    """The person's latest completed training of the occupation, if any."""
    return (Enrolment.objects.filter(person=person, status=EnrolmentStatus.COMPLETED,
                                     training_class__occupation=occupation)
            .select_related("training_class").order_by("-completed_at").first())


@transaction.atomic
def candidate_add(*, actor, plan: EvaluationPlan, person: Person,
                  enrolment: Enrolment | None = None) -> Candidate:
    """A candidate from their completed training of the plan's occupation (found if not
    given), or registered directly where the type allows it."""
    plan = _editable(actor, plan)
    if plan.candidates.filter(person=person).exists():
        raise Conflict(f"{person.name} 已是本计划的考生", errors={"person": "已是考生"})
    if plan.examiners.filter(person=person).exists():
        raise field_error("person", f"{person.name} 是本计划的考评员，不能同时作为考生")
    enrolment = enrolment or completed_enrolment(person, plan.occupation)
    if problem := _eligibility_problem(plan, person, enrolment):
        raise field_error("person", problem, code="not_eligible")
    for examiner in plan.examiners.select_related("person"):
        if _taught(examiner.person, enrolment):
            raise field_error("person", f"考评员{examiner.person.name}是{person.name}所在培训班"
                                        "的授课教师：请先更换考评员", code="own_class")
    candidate = Candidate.objects.create(
        plan=plan, person=person, enrolment=enrolment, added_by=actor,
        source=CandidateSource.COMPLETION if enrolment else CandidateSource.DIRECT)
    audit_record(actor=actor, action=EvaluationAction.CANDIDATE_ADD, obj=plan,
                 changes={"candidate": [None, person.pk], "source": [None, candidate.source]})
    return candidate


@transaction.atomic
def plan_file(*, actor, plan: EvaluationPlan) -> EvaluationPlan:
    """draft or returned → filed, into the review chain."""
    require(actor, "evaluation.add_evaluationplan", message="没有报备考核计划的权限")
    plan = _editable(actor, plan)
    examiners = plan.examiners.count()
    if examiners < MIN_EXAMINERS:
        raise field_error("examiners", f"每场考核至少 {MIN_EXAMINERS} 名考评员，"
                                       f"本计划只有 {examiners} 名")
    if not plan.candidates.exists():
        raise field_error("candidates", "本计划还没有考生")
    if plan.exam_date < timezone.localdate():
        raise field_error("exam_date", f"考核日期 {plan.exam_date} 已过，请修改后再报备")
    if problem := bodies.filing_covers(plan.filing, evaluation_type=plan.evaluation_type,
                                       occupation=plan.occupation, level=plan.level,
                                       on_date=plan.exam_date):
        raise field_error("occupation", problem, code="not_filed")
    _move(actor=actor, plan=plan, to=PlanStatus.FILED, action=EvaluationAction.PLAN_FILE)
    review_submit(actor=actor, kind=PLAN_REVIEW, subject=plan)
    return plan


def _move(*, actor, plan: EvaluationPlan, to: str, action: str,
          reason: str = "") -> EvaluationPlan:
    before = plan.status
    plan.status, plan.reason = to, reason
    plan.save(update_fields=["status", "reason"])
    changes = {"status": [before, to]}
    if reason:
        changes["reason"] = [None, reason]
    audit_record(actor=actor, action=action, obj=plan, changes=changes)
    return plan


def _reviewable(actor, plan: EvaluationPlan, verb: str) -> EvaluationPlan:
    require(actor, REVIEW_PLAN, message="没有审核考核计划的权限")
    require_visible(actor, plan, "review")
    plan = plan_lock(plan)
    if plan.status != PlanStatus.FILED:
        raise field_error("status", f"该计划当前为「{plan.get_status_display()}」，"
                                    f"只有待审核的计划可以{verb}", code="wrong_state")
    return plan


@transaction.atomic
def plan_approve(*, actor, plan: EvaluationPlan) -> EvaluationPlan:
    plan = _reviewable(actor, plan, "批准")
    return _move(actor=actor, plan=plan, to=PlanStatus.APPROVED,
                 action=EvaluationAction.PLAN_APPROVE)


@transaction.atomic
def plan_return(*, actor, plan: EvaluationPlan, reason: str) -> EvaluationPlan:
    reason = bodies.reason_required(reason, "退回修改")
    plan = _reviewable(actor, plan, "退回")
    return _move(actor=actor, plan=plan, to=PlanStatus.RETURNED,
                 action=EvaluationAction.PLAN_RETURN, reason=reason)


@transaction.atomic
def plan_reject(*, actor, plan: EvaluationPlan, reason: str) -> EvaluationPlan:
    reason = bodies.reason_required(reason, "不予通过")
    plan = _reviewable(actor, plan, "不予通过")
    return _move(actor=actor, plan=plan, to=PlanStatus.REJECTED,
                 action=EvaluationAction.PLAN_REJECT, reason=reason)
