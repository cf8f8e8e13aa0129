"""The scope case matrix (tests/scope_cases.py) for evaluation's models. Each case's record
belongs to a body of 睢阳区 (411403), built straight through the ORM, and is read through the
pages, their exports, the API and the selectors. The public directory
(/evaluation/directory/) and verification page (/evaluation/verify/) show filed bodies and
certificates to anyone by design, masked."""

import datetime as dt
import itertools

from jineng.catalog.models import EvaluationType, Occupation, SkillLevel
from jineng.core.identity import make_resident_number
from jineng.evaluation import selectors
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
    ResultStatus,
)
from jineng.orgs.models import Institution, Region
from jineng.people.models import Person
from jineng.people.services import identity_check, identity_columns
from tests.scope_cases import ScopeCases

_sequence = itertools.count(800)
YEAR = 2026


def _body() -> Institution:
    return Institution.objects.get(name="商丘市睢阳区古城家政职业培训学校")


def _filing() -> BodyFiling:
    return BodyFiling.objects.create(
        institution=_body(), kind=BodyKind.SOCIAL, status=FilingStatus.FILED,
        valid_from=dt.date(YEAR, 1, 1), valid_to=dt.date(YEAR + 1, 12, 31))


def _plan(name: str = "") -> EvaluationPlan:
    n = next(_sequence)
    return EvaluationPlan.objects.create(
        filing=_filing(), code=f"KHSCOPE{n:06d}", name=name or f"范围测试考核{n}",
        evaluation_type=EvaluationType.objects.get(code="skill_level"),
        occupation=Occupation.objects.get(code="6-31-01-03", is_current=True),
        level=SkillLevel.objects.get(code="4"), region=Region.objects.get(code="411403"),
        venue="睢阳区考核站", exam_date=dt.date(YEAR, 6, 1), status=PlanStatus.PUBLISHED)


def _person(name: str = "范围测试考生") -> Person:
    ident = identity_check(make_resident_number("411403", dt.date(1985, 5, 5), next(_sequence)))
    return Person.objects.create(name=name, household_region=Region.objects.get(code="411403"),
                                 **identity_columns(ident))


def _worker() -> Person:
    return Person.objects.get(user__username="worker_411402")


def _candidate(person: Person | None = None) -> Candidate:
    return Candidate.objects.create(plan=_plan(), person=person or _person(),
                                    source=CandidateSource.DIRECT)


def _result(person: Person | None = None) -> Result:
    return Result.objects.create(candidate=_candidate(person), theory_score=80,
                                 practical_score=80, passed=True, status=ResultStatus.PUBLISHED)


def _certificate(person: Person | None = None) -> Certificate:
    result = _result(person)
    plan = result.candidate.plan
    return Certificate.objects.create(
        number=f"S{_body().pk % 1_000_000:06d}41001264{next(_sequence):07d}",
        person=result.candidate.person, result=result, plan=plan, body=plan.filing.institution,
        region=plan.region, occupation=plan.occupation, level=plan.level,
        evaluation_type=plan.evaluation_type, issued_on=dt.date(YEAR, 6, 10), key_id="test",
        signature="x")


class TestBodyFilingScope(ScopeCases):
    model = BodyFiling
    api_list = "/api/v1/evaluation/bodies?q={obj.institution.name}&limit=100"
    api_detail = "/api/v1/evaluation/bodies/{obj.pk}"
    page_list = "/evaluation/filings/?q={obj.institution.name}"
    page_detail = "/evaluation/filings/{obj.pk}/"
    page_export = "/evaluation/filings/?q={obj.institution.name}&export=xlsx"

    def make(self, user_named):
        return _filing()

    def select(self, user, obj):
        return selectors.filing_list(user=user, q=obj.institution.name)

    def marker(self, obj):
        return obj.institution.name


class TestEvaluationPlanScope(ScopeCases):
    model = EvaluationPlan
    api_list = "/api/v1/evaluation/plans?q={obj.code}&limit=100"
    api_detail = "/api/v1/evaluation/plans/{obj.pk}"
    page_list = "/evaluation/plans/?q={obj.name}"
    page_detail = "/evaluation/plans/{obj.pk}/"
    page_export = "/evaluation/plans/?q={obj.name}&export=xlsx"

    def make(self, user_named):
        return _plan()

    def select(self, user, obj):
        return selectors.plan_list(user=user, q=obj.name)

    def marker(self, obj):
        return obj.name


class TestExaminerScope(ScopeCases):
    model = Examiner

    def make(self, user_named):
        return Examiner.objects.create(plan=_plan(), person=_person("范围测试考评员"))


class TestCandidateScope(ScopeCases):
    model = Candidate

    def make(self, user_named):
        return _candidate()

    def own_record(self, worker, user_named):
        return _candidate(_worker())


class TestResultScope(ScopeCases):
    model = Result
    page_detail = "/evaluation/results/{obj.pk}/correct/"

    def make(self, user_named):
        return _result()

    def own_record(self, worker, user_named):
        return None  # a worker reads their result in the archive, never on the form


class TestCertificateScope(ScopeCases):
    model = Certificate
    api_list = "/api/v1/certificates?q={obj.number}&limit=100"
    api_detail = "/api/v1/certificates/{obj.pk}"
    page_list = "/evaluation/certificates/?q={obj.number}"
    page_detail = "/evaluation/certificates/{obj.pk}/"
    page_export = "/evaluation/certificates/?q={obj.number}&export=xlsx"

    def make(self, user_named):
        return _certificate()

    def select(self, user, obj):
        return selectors.certificate_list(user=user, q=obj.number)

    def marker(self, obj):
        return obj.number

    def own_record(self, worker, user_named):
        return _certificate(_worker())
