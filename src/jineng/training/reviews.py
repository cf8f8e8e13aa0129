"""The training filings that go through core's review chains: a designation application is
decided step by step (county officer, then city reviewer, by default); the last decision
moves the designation through its own transition service."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from jineng.core.models import ReviewLevel
from jineng.core.review import register_review_kind
from jineng.training import classes, services

DESIGNATION = "designation"
REVIEW_DESIGNATION = "training.review_designation"
REVIEW_CLASS = classes.REVIEW_PERMISSION


def _approved(designation, *, actor, reason=""):
    services.designation_approve(actor=actor, designation=designation)


def _returned(designation, *, actor, reason):
    services.designation_return(actor=actor, designation=designation, reason=reason)


def _rejected(designation, *, actor, reason):
    services.designation_reject(actor=actor, designation=designation, reason=reason)


def _class_approved(training_class, *, actor, reason=""):
    classes.class_approve(actor=actor, training_class=training_class)


def _class_returned(training_class, *, actor, reason):
    classes.class_return(actor=actor, training_class=training_class, reason=reason)


def _class_rejected(training_class, *, actor, reason):
    classes.class_reject(actor=actor, training_class=training_class, reason=reason)


def _change_approved(change, *, actor, reason=""):
    classes.class_change_approve(actor=actor, change=change)


def _change_returned(change, *, actor, reason):
    classes.class_change_return(actor=actor, change=change, reason=reason)


def _change_rejected(change, *, actor, reason):
    classes.class_change_reject(actor=actor, change=change, reason=reason)


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
    register_review_kind(
        classes.CLASS_FILING, _("培训班备案"),
        region_of=lambda c: c.region,
        on_approved=_class_approved, on_returned=_class_returned, on_rejected=_class_rejected,
        title_of=lambda c: f"{c.name}（{c.institution.name}）",
        url_of=lambda c: reverse("training:class_detail", args=[c.pk]),
        permissions={REVIEW_CLASS: _("审核培训班备案")},
        default_steps=[(REVIEW_CLASS, ReviewLevel.COUNTY), (REVIEW_CLASS, ReviewLevel.CITY)],
    )
    register_review_kind(
        classes.CLASS_CHANGE, _("培训班变更"),
        region_of=lambda ch: ch.training_class.region,
        on_approved=_change_approved, on_returned=_change_returned,
        on_rejected=_change_rejected,
        title_of=lambda ch: f"{ch.training_class.name}（{ch.training_class.institution.name}）变更",
        url_of=lambda ch: reverse("training:class_detail", args=[ch.training_class_id]),
        permissions={REVIEW_CLASS: _("审核培训班备案")},
        default_steps=[(REVIEW_CLASS, ReviewLevel.COUNTY), (REVIEW_CLASS, ReviewLevel.CITY)],
    )
