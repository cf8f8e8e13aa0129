"""Row locks of evaluation (see core/lock_objects.py)."""

from jineng.core.lock_objects import locked
from jineng.evaluation.models import (
    BodyFiling,
    Certificate,
    CertificateSerial,
    EvaluationPlan,
    Result,
)


def filing_lock(filing: BodyFiling) -> BodyFiling:
    return locked(BodyFiling.objects.filter(pk=filing.pk)
                  .select_related("institution__region")).get()


def plan_lock(plan: EvaluationPlan) -> EvaluationPlan:
    """A plan's candidates, results and publication change under this lock."""
    return locked(EvaluationPlan.objects.filter(pk=plan.pk).select_related(
        "filing__institution__region", "region", "occupation", "level", "work_type",
        "evaluation_type")).get()


def result_lock(result: Result) -> Result:
    return locked(Result.objects.filter(pk=result.pk)
                  .select_related("candidate__plan", "candidate__person")).get()


def certificate_lock(certificate: Certificate) -> Certificate:
    return locked(Certificate.objects.filter(pk=certificate.pk)).get()


def serial_lock(body_id: int, year: int) -> CertificateSerial:
    """A body's serial numbers of a year: one publication at a time takes the next ones."""
    CertificateSerial.objects.get_or_create(body_id=body_id, year=year)
    return locked(CertificateSerial.objects.filter(body_id=body_id, year=year)).get()
