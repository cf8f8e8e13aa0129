"""The loop of evaluation end to end: a body files, its plan is reviewed, held, its results
published by a second person, and each pass gets a certificate anyone can verify."""

import pytest

from jineng.core.errors import Forbidden
from jineng.evaluation import certificates, results
from jineng.evaluation.models import Certificate, FilingStatus, PlanStatus, ResultStatus
from tests.evaluation import kit

pytestmark = pytest.mark.django_db


def test_a_body_files_and_the_chain_files_it():
    filing = kit.filed_body()
    assert filing.status == FilingStatus.FILED


def test_a_plan_is_held_and_published_into_certificates():
    plan = kit.held(kit.approved_plan(), [(80, 75), (59, 90), (60, 60)])
    assert plan.status == PlanStatus.HELD
    with pytest.raises(Forbidden, match="双人复核"):
        results.plan_results_publish(actor=kit.user("eval_411402"), plan=plan)
    issued = results.plan_results_publish(actor=kit.user("county_411402"), plan=plan)
    assert issued == 2
    plan.refresh_from_db()
    assert plan.status == PlanStatus.PUBLISHED
    assert set(plan.candidates.values_list("results__status", flat=True)) == {
        ResultStatus.PUBLISHED}
    numbers = list(Certificate.objects.filter(plan=plan).values_list("number", flat=True))
    assert len(numbers) == 2
    layout = certificates.number_layout(numbers[0])
    assert layout["letter"] == "S" and layout["province"] == "41" and layout["level"] == "4"
    assert certificates.verify_number(numbers[0]).code == "valid"
    cert = Certificate.objects.get(number=numbers[0])
    check = certificates.verify_payload(certificates.qr_payload(cert), certificates.public_keys())
    assert check.genuine, check.message
    certificates.certificate_revoke(actor=kit.user("county_411402"), certificate=cert,
                                    reason="考核舞弊")
    assert certificates.verify_number(numbers[0]).code == "revoked"
    offline = certificates.verify_payload(certificates.qr_payload(cert),
                                          certificates.public_keys(),
                                          certificates.revocation_list())
    assert offline.revoked and "考核舞弊" in offline.message


def test_an_examiner_is_not_also_a_candidate():
    """examiner_add refused a candidate; candidate_add now refuses an examiner too."""
    from jineng.core.errors import ServiceError
    from jineng.evaluation import plans
    from tests.training import factories

    plan = kit.draft(kit.filed_body())
    examiner = factories.person("411402", "考评员甲")
    plans.examiner_add(actor=kit.user("eval_411402"), plan=plan, person=examiner)
    with pytest.raises(ServiceError, match="是本计划的考评员，不能同时作为考生"):
        plans.candidate_add(actor=kit.user("eval_411402"), plan=plan, person=examiner)
