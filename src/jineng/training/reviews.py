"""The training filings that go through core's review chains: a designation application is
decided step by step (county officer, then city reviewer, by default); the last decision
moves the designation through its own transition service."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from jineng.core.models import ReviewLevel
from jineng.core.review import register_review_kind
from jineng.training import services

DESIGNATION = "designation"
REVIEW_DESIGNATION = "training.review_designation"


def _approved(designation, *, actor, reason=""):
    services.designation_approve(actor=actor, designation=designation)


def _returned(designation, *, actor, reason):
    services.designation_return(actor=actor, designation=designation, reason=reason)


def _rejected(designation, *, actor, reason):
    services.designation_reject(actor=actor, designation=designation, reason=reason)


def register_reviews() -> None:
    register_review_kind(
        DESIGNATION, _("定点培训机构认定"),
        region_of=lambda d: d.institution.region,
        on_approved=_approved, on_returned=_returned, on_rejected=_rejected,
        title_of=lambda d: d.institution.name,
        url_of=lambda d: reverse("training:designation_detail", args=[d.pk]),
        permissions={REVIEW_DESIGNATION: _("审核定点培训机构")},
        default_steps=[(REVIEW_DESIGNATION, ReviewLevel.COUNTY),
                       (REVIEW_DESIGNATION, ReviewLevel.CITY)],
    )
