"""Demo data of evaluation (`jineng loaddemo`; idempotent), through the services as the users
would: 豫东职业技能评价中心 (eval_411402) is a filed 社会培训评价组织 and 梁园冷链食品 a filed
enterprise doing self-evaluation; a plan for the completers of the demo's past 家政服务员
class is filed, approved (county, then city), held today, its scores entered by the body and
published by the county officer (maker-checker), so every pass has a certificate, 张三
(worker_411402) among them; one other certificate is revoked."""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from jineng.catalog.models import EvaluationType, Occupation, SkillLevel
from jineng.core.codes import clean_text
from jineng.core.identity import make_resident_number
from jineng.core.models import ReviewDecisionKind, ReviewState
from jineng.core.review import review_decide, review_of
from jineng.evaluation import bodies, certificates, plans, results
from jineng.evaluation.models import (
    BodyFiling,
    BodyKind,
    Certificate,
    CertificateStatus,
    EvaluationPlan,
    PlanStatus,
)
from jineng.orgs.models import Institution, User
from jineng.people import services as people_services
from jineng.people.models import Person
from jineng.training.demo_classes import ELECTRICIAN, HOME_CARE, demo_classes
from jineng.training.models import EnrolmentStatus

BODY, ENTERPRISE = "商丘市梁园区豫东职业技能评价中心", "商丘梁园冷链食品有限公司"
PLAN_NAME = "家政服务员（家务服务员）初级 职业技能等级认定 第一期"
EXAMINERS = [("赵明远", dt.date(1975, 3, 8), 71, "豫考评〔2023〕1102"),
             ("孙丽华", dt.date(1980, 11, 21), 72, "豫考评〔2024〕0317")]
SCORES = [(86, 90), (78, 82), (91, 88), (58, 75), (72, 80), (83, 79), (69, 71), (88, 93)]
REVOKED_REASON = "复核发现实操考核录像缺失，撤销证书（演示）"


def _user(name: str) -> User | None:
    return User.objects.filter(username=name).first()


def _decided(subject) -> None:
    """Through the default chain: the county officer, then the city reviewer."""
    for name in ("county_411402", "reviewer_411400"):
        review, decider = review_of(subject), _user(name)
        if decider is not None and review is not None and review.state == ReviewState.PENDING:
            review_decide(actor=decider, review=review, decision=ReviewDecisionKind.APPROVE)


def _filing(actor: User, name: str, kind: str, occupations: list[str], levels: list[str],
            types: list[str]) -> BodyFiling | None:
    institution = Institution.objects.filter(name=name).first()
    if institution is None:
        return None
    filing = BodyFiling.objects.filter(institution=institution).order_by("pk").first()
    if filing is None:
        today = timezone.localdate()
        filing = bodies.filing_submit(
            actor=actor, institution=institution, kind=kind,
            evaluation_types=list(EvaluationType.objects.filter(code__in=types)),
            occupations=list(Occupation.objects.filter(code__in=occupations, is_current=True)),
            levels=list(SkillLevel.objects.filter(code__in=levels)),
            valid_from=dt.date(today.year, 1, 1), valid_to=dt.date(today.year + 2, 12, 31))
        _decided(filing)
        filing.refresh_from_db()
    return filing


def _examiner(actor: User, name: str, birth: dt.date, sequence: int) -> Person:
    number = make_resident_number("411402", birth, sequence)
    person = Person.objects.filter(
        id_hash=people_services.identity_hash("resident", number)).first()
    return person or people_services.person_create(
        actor=actor, source="demo", id_number=number, name=name,
        household_region="411402", residence_region="411402")


def _plan(operator: User, officer: User, filing: BodyFiling) -> EvaluationPlan | None:
    past = demo_classes().get("past")
    if past is None:
        return None
    completers = list(past.enrolments.filter(status=EnrolmentStatus.COMPLETED)
                      .select_related("person").order_by("pk"))
    if not completers:
        return None
    plan = plans.plan_draft(
        actor=operator, filing=filing, name=PLAN_NAME,
        evaluation_type=EvaluationType.objects.get(code="skill_level"),
        occupation=past.occupation, work_type=past.work_type,
        level=past.level, region=filing.institution.region,
        venue="梁园区豫东职业技能评价中心 第一考场", exam_date=timezone.localdate())
    for name, birth, sequence, number in EXAMINERS:
        plans.examiner_add(actor=operator, plan=plan,
                           person=_examiner(operator, name, birth, sequence), number=number)
    for enrolment in completers:
        plans.candidate_add(actor=operator, plan=plan, person=enrolment.person,
                            enrolment=enrolment)
    plans.plan_file(actor=operator, plan=plan)
    _decided(plan)
    plan.refresh_from_db()
    if plan.status != PlanStatus.APPROVED:
        return plan
    candidates = list(plan.candidates.select_related("person").order_by("pk"))
    worker = _user("worker_411402")
    rows = []
    for n, candidate in enumerate(candidates):
        theory, practical = SCORES[n % len(SCORES)]
        if worker is not None and candidate.person.user_id == worker.pk:
            theory, practical = 88, 92  # 张三 passes
        rows.append(results.ScoreRow(candidate, theory, practical))
    results.results_enter(actor=operator, plan=plan, rows=rows)
    results.plan_results_publish(actor=officer, plan=plan)
    plan.refresh_from_db()
    return plan


def _revoke_one(officer: User, plan: EvaluationPlan) -> None:
    if Certificate.objects.filter(plan=plan, status=CertificateStatus.REVOKED).exists():
        return
    worker = _user("worker_411402")
    other = (Certificate.objects.filter(plan=plan, status=CertificateStatus.VALID)
             .exclude(person__user=worker).order_by("-pk").first())
    if other is not None:
        certificates.certificate_revoke(actor=officer, certificate=other, reason=REVOKED_REASON)


@transaction.atomic
def load(*, actor=None, stdout=None) -> None:
    operator, officer = _user("eval_411402"), _user("county_411402")
    enterprise_operator = _user("ent_411402")
    if operator is None or officer is None:
        return
    filing = _filing(operator, BODY, BodyKind.SOCIAL, [HOME_CARE, ELECTRICIAN],
                     ["5", "4", "3"], ["skill_level", "special_ability"])
    if enterprise_operator is not None:
        _filing(enterprise_operator, ENTERPRISE, BodyKind.ENTERPRISE, [ELECTRICIAN],
                ["5", "4"], ["skill_level"])
    plan = EvaluationPlan.objects.filter(name=clean_text(PLAN_NAME)).first()
    if plan is None and filing is not None:
        plan = _plan(operator, officer, filing)
    if plan is not None and plan.status == PlanStatus.PUBLISHED:
        _revoke_one(officer, plan)
    if stdout is not None:
        stdout.write(f"评价：评价机构 {BodyFiling.objects.filter(status='filed').count()} 家、"
                     f"证书 {Certificate.objects.count()} 本")
