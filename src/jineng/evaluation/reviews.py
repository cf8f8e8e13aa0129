"""The evaluation filings that go through core's review chains: a body's filing, a plan, and
a correction of a published result (county officer, then city reviewer, by default)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from jineng.core.models import ReviewLevel
from jineng.core.review import register_review_kind
from jineng.evaluation import bodies, plans, results


def register_reviews() -> None:
    register_review_kind(
        bodies.FILING, _("评价机构备案"),
        region_of=lambda f: f.institution.region,
        on_approved=lambda f, *, actor, reason="": bodies.filing_approve(actor=actor, filing=f),
        on_returned=lambda f, *, actor, reason: bodies.filing_return(actor=actor, filing=f,
                                                                     reason=reason),
        on_rejected=lambda f, *, actor, reason: bodies.filing_reject(actor=actor, filing=f,
                                                                     reason=reason),
        title_of=lambda f: f"{f.institution.name}（{f.get_kind_display()}）",
        url_of=lambda f: reverse("evaluation:filing_detail", args=[f.pk]),
        permissions={bodies.REVIEW_FILING: _("审核评价机构备案")},
        default_steps=[(bodies.REVIEW_FILING, ReviewLevel.COUNTY),
                       (bodies.REVIEW_FILING, ReviewLevel.CITY)],
    )
    register_review_kind(
        plans.PLAN_REVIEW, _("考核计划"),
        region_of=lambda p: p.region,
        on_approved=lambda p, *, actor, reason="": plans.plan_approve(actor=actor, plan=p),
        on_returned=lambda p, *, actor, reason: plans.plan_return(actor=actor, plan=p,
                                                                  reason=reason),
        on_rejected=lambda p, *, actor, reason: plans.plan_reject(actor=actor, plan=p,
                                                                  reason=reason),
        title_of=lambda p: f"{p.name}（{p.filing.institution.name}）",
        url_of=lambda p: reverse("evaluation:plan_detail", args=[p.pk]),
        permissions={plans.REVIEW_PLAN: _("审核考核计划")},
        default_steps=[(plans.REVIEW_PLAN, ReviewLevel.COUNTY),
                       (plans.REVIEW_PLAN, ReviewLevel.CITY)],
    )
    register_review_kind(
        results.CORRECTION_REVIEW, _("考核成绩更正"),
        region_of=lambda r: r.candidate.plan.region,
        on_approved=lambda r, *, actor, reason="": results.correction_approve(
            actor=actor, correction=r),
        on_rejected=lambda r, *, actor, reason: results.correction_reject(
            actor=actor, correction=r, reason=reason),
        title_of=lambda r: f"{r.candidate.person.name} · {r.candidate.plan.name} 成绩更正",
        url_of=lambda r: reverse("evaluation:plan_detail", args=[r.candidate.plan_id]),
        permissions={plans.REVIEW_PLAN: _("审核考核计划")},
        default_steps=[(plans.REVIEW_PLAN, ReviewLevel.COUNTY),
                       (plans.REVIEW_PLAN, ReviewLevel.CITY)],
    )
