"""Builders for evaluation tests: a filed body, a plan through its review, held with
results; each through the services a user's clicks call."""

import datetime as dt

from django.utils import timezone

from jineng.catalog.models import EvaluationType, Occupation, SkillLevel
from jineng.core.review import review_decide, review_of
from jineng.evaluation import bodies, plans, results
from jineng.evaluation.models import BodyFiling, BodyKind, EvaluationPlan
from jineng.orgs.models import Institution, User
from jineng.training.models import EnrolmentStatus
from tests.training import factories

BODY = "商丘市梁园区豫东职业技能评价中心"
OCCUPATION = "6-31-01-03"  # 电工, the training factories' occupation


def user(name: str) -> User:
    return User.objects.get(username=name)


def decide_all(subject, decision: str = "approve", reason: str = "") -> None:
    """The default chain: the county officer, then the city reviewer."""
    for decider in ("county_411402", "reviewer_411400"):
        review = review_of(subject)
        if review is None or review.state != "pending":
            return
        review_decide(actor=user(decider), review=review, decision=decision, reason=reason)


def filed_body(name: str = BODY, kind: str = BodyKind.SOCIAL, *, actor: str = "eval_411402",
               types=("skill_level", "special_ability"), levels=("5", "4", "3")) -> BodyFiling:
    institution = Institution.objects.get(name=name)
    demo = BodyFiling.objects.filter(institution=institution, status="filed").first()
    if demo is not None:  # the demo's filing (电工 and 家政服务员, levels 5–3)
        return demo
    today = timezone.localdate()
    filing = bodies.filing_submit(
        actor=user(actor), institution=institution, kind=kind,
        evaluation_types=list(EvaluationType.objects.filter(code__in=types)),
        occupations=list(Occupation.objects.filter(code=OCCUPATION, is_current=True)),
        levels=list(SkillLevel.objects.filter(code__in=levels)),
        valid_from=today.replace(month=1, day=1), valid_to=today + dt.timedelta(days=700))
    decide_all(filing)
    filing.refresh_from_db()
    return filing


def completed(n: int = 3, level_code: str = "4"):
    """`n` people who completed an electrician class of 梁园区."""
    school = Institution.objects.get(name="商丘市梁园区金蓝领职业培训学校")
    klass = factories.training_class(school, level=SkillLevel.objects.get(code=level_code))
    out = []
    for i in range(n):
        made = factories.enrolment(klass, who=factories.person("411402", f"考生{i}"),
                                   status=EnrolmentStatus.COMPLETED,
                                   completed_at=timezone.now())
        out.append(made)
    return out


def draft(filing: BodyFiling, *, level: str = "4", type_code: str = "skill_level",
          exam_date: dt.date | None = None, actor: str = "eval_411402") -> EvaluationPlan:
    return plans.plan_draft(
        actor=user(actor), filing=filing, name="电工四级考核", level=SkillLevel.objects.get(
            code=level), evaluation_type=EvaluationType.objects.get(code=type_code),
        occupation=Occupation.objects.get(code=OCCUPATION, is_current=True),
        region=filing.institution.region, venue="梁园区考核站",
        exam_date=exam_date or timezone.localdate() + dt.timedelta(days=3))


def approved_plan(filing: BodyFiling | None = None, candidates: int = 3,
                  actor: str = "eval_411402") -> EvaluationPlan:
    filing = filing or filed_body()
    plan = draft(filing, actor=actor)
    for i in range(2):
        plans.examiner_add(actor=user(actor), plan=plan,
                           person=factories.person("411402", f"考评员{i}"))
    for enrolment in completed(candidates):
        plans.candidate_add(actor=user(actor), plan=plan, person=enrolment.person)
    plans.plan_file(actor=user(actor), plan=plan)
    decide_all(plan)
    plan.refresh_from_db()
    return plan


def held(plan: EvaluationPlan, scores, actor: str = "eval_411402") -> EvaluationPlan:
    """The exam day has come (moved back to today) and the scores are entered."""
    EvaluationPlan.objects.filter(pk=plan.pk).update(exam_date=timezone.localdate())
    plan.refresh_from_db()
    rows = [results.ScoreRow(c, t, p) for c, (t, p) in zip(plan.candidates.order_by("pk"),
                                                            scores, strict=True)]
    results.results_enter(actor=user(actor), plan=plan, rows=rows)
    plan.refresh_from_db()
    return plan
