"""The demo's evaluation: two filed bodies, a published plan for the past class's completers,
张三's certificate, one revoked; and a second load changes nothing."""

import io

import pytest
from django.core.management import call_command

from jineng.evaluation import certificates
from jineng.evaluation.models import (
    BodyFiling,
    BodyKind,
    Certificate,
    CertificateStatus,
    EvaluationPlan,
    PlanStatus,
)

pytestmark = pytest.mark.django_db


def test_the_demo_has_the_whole_evaluation_loop():
    kinds = set(BodyFiling.objects.filter(status="filed").values_list("kind", flat=True))
    assert {BodyKind.SOCIAL, BodyKind.ENTERPRISE} <= kinds
    plan = EvaluationPlan.objects.get(name__contains="职业技能等级认定 第一期")
    assert plan.status == PlanStatus.PUBLISHED and plan.published_by.username == "county_411402"
    assert plan.results_entered_by.username == "eval_411402"
    mine = Certificate.objects.get(person__user__username="worker_411402")
    assert mine.status == CertificateStatus.VALID
    assert certificates.verify_number(mine.number).code == "valid"
    revoked = Certificate.objects.get(status=CertificateStatus.REVOKED)
    assert certificates.verify_number(revoked.number).code == "revoked"
    failed = plan.candidates.filter(results__passed=False)
    assert failed.exists() and not Certificate.objects.filter(
        person__in=failed.values("person")).exists()


def test_loading_the_demo_again_changes_nothing():
    before = (Certificate.objects.count(), EvaluationPlan.objects.count(),
              BodyFiling.objects.count())
    call_command("loaddemo", stdout=io.StringIO())
    assert (Certificate.objects.count(), EvaluationPlan.objects.count(),
            BodyFiling.objects.count()) == before
