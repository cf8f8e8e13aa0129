"""The scope case matrix (tests/scope_cases.py) for evaluation's models. Each case's record
belongs to 睢阳区技工学校 (411403), filed as a school evaluating its own students."""

import datetime as dt

from django.utils import timezone

from jineng.catalog.models import EvaluationType, Occupation, SkillLevel
from jineng.evaluation.models import (
    BodyFiling,
    BodyKind,
    Candidate,
    CandidateSource,
    Certificate,
    EvaluationPlan,
    Examiner,
    FilingStatus,
    PlanStatus,
    Result,
)
from jineng.orgs.models import Institution
from tests.scope_cases import ScopeCases
from tests.training import factories


def _filing() -> BodyFiling:
    school = Institution.objects.filter(region__code="411403",
                                        kind="technical_school").order_by("pk").first()
    today = timezone.localdate()
    return BodyFiling.objects.create(institution=school, kind=BodyKind.SCHOOL,
                                     status=FilingStatus.FILED, valid_from=today,
                                     valid_to=today + dt.timedelta(days=365))


def _plan() -> EvaluationPlan:
    filing = _filing()
    return EvaluationPlan.objects.create(
        filing=filing, code=f"SCOPE{filing.pk}", name="范围测试考核计划",
        evaluation_type=EvaluationType.objects.get(code="skill_level"),
        occupation=Occupation.objects.filter(code="6-31-01-03", is_current=True).first(),
        level=SkillLevel.objects.get(code="4"), region=filing.institution.region,
        venue="睢阳区考场", exam_date=timezone.localdate(), status=PlanStatus.HELD)


def _candidate() -> Candidate:
    return Candidate.objects.create(plan=_plan(), person=factories.person("411403", "范围考生"),
                                    source=CandidateSource.DIRECT)


def _result() -> Result:
    return Result.objects.create(candidate=_candidate(), theory_score=80, practical_score=80,
                                 passed=True)


class TestBodyFilingScope(ScopeCases):
    model = BodyFiling
    api_list = "/api/v1/evaluation/bodies?q={obj.institution.name}&limit=100"
    api_detail = "/api/v1/evaluation/bodies/{obj.pk}"

    def make(self, user_named):
        return _filing()


class TestEvaluationPlanScope(ScopeCases):
    model = EvaluationPlan
    api_list = "/api/v1/evaluation/plans?q={obj.code}&limit=100"
    api_detail = "/api/v1/evaluation/plans/{obj.pk}"

    def make(self, user_named):
        return _plan()


class TestExaminerScope(ScopeCases):
    model = Examiner

    def make(self, user_named):
        return Examiner.objects.create(plan=_plan(), person=factories.person("411403", "考评"))


class TestCandidateScope(ScopeCases):
    model = Candidate

    def make(self, user_named):
        return _candidate()


class TestResultScope(ScopeCases):
    model = Result

    def make(self, user_named):
        return _result()


class TestCertificateScope(ScopeCases):
    model = Certificate
    api_list = "/api/v1/certificates?q={obj.number}&limit=100"
    api_detail = "/api/v1/certificates/{obj.pk}"

    def make(self, user_named):
        result = _result()
        plan = result.candidate.plan
        return Certificate.objects.create(
            number=f"S{plan.filing.institution_id:06d}4100126400{result.pk:05d}",
            person=result.candidate.person, result=result, plan=plan,
            body=plan.filing.institution, region=plan.region, occupation=plan.occupation,
            level=plan.level, evaluation_type=plan.evaluation_type,
            issued_on=timezone.localdate(), key_id="c1", signature="-")
