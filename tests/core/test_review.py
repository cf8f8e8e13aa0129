"""The review chain (core/review.py) with a test-only kind whose subject is an institution:
approve, return and resubmit, reject, maker-checker, scope of deciders, chain selection and
editing, the queue, the timeline and the audit trail."""

import pytest

from jineng.core.errors import Conflict, Forbidden, ServiceError
from jineng.core.events import ReviewAction
from jineng.core.models import AuditEvent, Review, ReviewChain, ReviewLevel, ReviewState
from jineng.core.refusals import OutOfScope
from jineng.core.review import (
    review_chain_for,
    review_chain_save,
    review_decide,
    review_of,
    review_queue,
    review_submit,
    review_timeline,
)
from jineng.orgs.models import Region
from tests.core.review_kit import FIRST, HOOKS, KIND, SECOND, grant, setup_kind, subject

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(user_named):
    setup_kind()
    return {
        "submitter": user_named("inst_411402"),
        "county": grant(user_named("county_411402"), FIRST),
        "sibling": grant(user_named("county_411403"), FIRST),
        "city": grant(user_named("reviewer_411400"), SECOND),
        "city_both": grant(user_named("city_411400"), FIRST, SECOND, code="test_both"),
    }


def submit(people):
    return review_submit(actor=people["submitter"], kind=KIND, subject=subject())


def test_two_steps_approved_call_on_approved_once(people):
    review = submit(people)
    assert (review.state, review.step_index, review.step_region.code) == ("pending", 0, "411402")
    review = review_decide(actor=people["county"], review=review, decision="approve")
    assert (review.state, review.step_index, review.step_region.code) == ("pending", 1, "411400")
    assert HOOKS.calls == []
    review = review_decide(actor=people["city"], review=review, decision="approve")
    assert review.state == ReviewState.APPROVED
    assert HOOKS.calls == [("approved", subject().pk, "reviewer_411400", "")]
    assert review_of(subject()).pk == review.pk


def test_return_goes_back_and_resubmission_restarts_at_step_one(people):
    review = submit(people)
    review = review_decide(actor=people["county"], review=review, decision="approve")
    with pytest.raises(ServiceError) as no_reason:
        review_decide(actor=people["city"], review=review, decision="return", reason=" ")
    assert no_reason.value.errors == {"reason": "退回修改须填写理由"}
    review = review_decide(actor=people["city"], review=review, decision="return",
                           reason="缺少师资名单")
    assert review.state == ReviewState.RETURNED
    assert HOOKS.calls == [("returned", subject().pk, "reviewer_411400", "缺少师资名单")]
    assert not review_queue(user=people["city"]).filter(pk=review.pk).exists()

    again = submit(people)
    assert (again.pk, again.round, again.step_index, again.state) == (review.pk, 2, 0, "pending")
    # A new round: the step-1 decider of the first round may decide step 1 again.
    assert review_queue(user=people["county"]).filter(pk=again.pk).exists()


def test_reject_is_final(people):
    review = submit(people)
    review = review_decide(actor=people["county"], review=review, decision="reject",
                           reason="场地不符合要求")
    assert review.state == ReviewState.REJECTED
    assert HOOKS.calls == [("rejected", subject().pk, "county_411402", "场地不符合要求")]
    with pytest.raises(Conflict, match="已被驳回"):
        submit(people)
    with pytest.raises(Conflict, match="审核已结束（已驳回）"):
        review_decide(actor=people["city"], review=review, decision="approve")


def test_a_pending_review_cannot_be_submitted_twice(people):
    submit(people)
    with pytest.raises(Conflict, match="已在审核中"):
        submit(people)


def test_the_submitter_cannot_decide(people, user_named):
    submitter = grant(user_named("county_411402"), FIRST)
    review = review_submit(actor=submitter, kind=KIND, subject=subject())
    with pytest.raises(Forbidden, match="不能审核自己提交的事项"):
        review_decide(actor=submitter, review=review, decision="approve")
    assert not review_queue(user=submitter).exists()


def test_the_decider_of_an_earlier_step_cannot_decide_the_next(people):
    both = people["city_both"]
    review = review_decide(actor=both, review=submit(people), decision="approve")
    assert not review_queue(user=both).filter(pk=review.pk).exists()
    with pytest.raises(Forbidden, match="您已审核过第 1 步，不能再审核第 2 步"):
        review_decide(actor=both, review=review, decision="approve")
    assert review_of(subject()).step_index == 1


def test_a_decider_outside_the_region_or_without_the_permission_is_refused(people):
    review = submit(people)
    with pytest.raises(OutOfScope, match="须由梁园区（县级）的审核人员审核"):
        review_decide(actor=people["sibling"], review=review, decision="approve")
    with pytest.raises(Forbidden, match="须具有「测试初审」权限"):
        review_decide(actor=people["city"], review=review, decision="approve")
    review = review_decide(actor=people["county"], review=review, decision="approve")
    # The county officer's scope does not cover the city: step 2 is not theirs even with
    # the permission.
    county_with_second = grant(people["county"], SECOND)
    with pytest.raises(Forbidden):
        review_decide(actor=county_with_second, review=review, decision="approve")


def test_the_nearest_chain_above_the_region_applies(people, user_named):
    county, city, province = (Region.objects.get(code=c) for c in ("411402", "411400", "410000"))
    assert review_chain_for(KIND, county).region is None  # the shipped default
    officer = grant(user_named("province_410000"), FIRST, SECOND, code="test_province")
    at_province = review_chain_save(actor=officer, kind=KIND, region=province,
                                    steps=[(FIRST, ReviewLevel.COUNTY)])
    assert review_chain_for(KIND, county) == at_province
    at_city = review_chain_save(actor=officer, kind=KIND, region=city,
                                steps=[(SECOND, ReviewLevel.CITY), (FIRST, ReviewLevel.COUNTY)])
    assert review_chain_for(KIND, county) == at_city
    assert review_chain_for(KIND, Region.objects.get(code="532500")).region is None
    review = submit(people)
    assert [s["permission"] for s in review.steps] == [SECOND, FIRST]
    assert review.step_region.code == "411400"


def test_a_province_officer_edits_a_chain_and_a_county_officer_cannot(people, user_named):
    province = Region.objects.get(code="410000")
    officer = user_named("province_410000")
    chain = review_chain_save(actor=officer, kind=KIND, region=province,
                              steps=[(SECOND, ReviewLevel.CITY), (FIRST, ReviewLevel.COUNTY)])
    assert [(s.order, s.permission) for s in chain.steps.all()] == [(1, SECOND), (2, FIRST)]
    event = AuditEvent.objects.filter(action=ReviewAction.CHAIN_CHANGE).first()
    assert (event.actor_name, event.object_id) == ("province_410000", str(chain.pk))
    with pytest.raises(Forbidden, match="只有省级人社部门可以修改审核流程"):
        review_chain_save(actor=user_named("county_411402"), kind=KIND,
                          region=Region.objects.get(code="411402"),
                          steps=[(FIRST, ReviewLevel.COUNTY)])
    with pytest.raises(OutOfScope, match="无权修改「云南省」的审核流程"):
        review_chain_save(actor=officer, kind=KIND, region=Region.objects.get(code="530000"),
                          steps=[(FIRST, ReviewLevel.COUNTY)])
    with pytest.raises(ServiceError, match="至少需要一个步骤"):
        review_chain_save(actor=officer, kind=KIND, region=province, steps=[])
    with pytest.raises(ServiceError, match="不是「测试机构备案」可用的审核权限"):
        review_chain_save(actor=officer, kind=KIND, region=province,
                          steps=[("people.view_person", ReviewLevel.COUNTY)])
    assert ReviewChain.objects.get(pk=chain.pk).steps.count() == 2


def test_the_queue_shows_only_what_the_user_may_decide(people):
    review = submit(people)
    assert list(review_queue(user=people["county"])) == [review]
    for name in ("sibling", "city", "submitter"):
        assert not review_queue(user=people[name]).exists(), name
    review_decide(actor=people["county"], review=review, decision="approve")
    assert not review_queue(user=people["county"]).exists()
    assert list(review_queue(user=people["city"])) == [review]


def test_the_timeline_lists_submissions_and_decisions_in_order(people):
    review = submit(people)
    review = review_decide(actor=people["county"], review=review, decision="approve")
    review = review_decide(actor=people["city"], review=review, decision="return",
                           reason="补充材料")
    review = submit(people)
    review_decide(actor=people["county"], review=review, decision="approve")
    timeline = review_timeline(subject())
    assert [(e.what, e.actor_name, e.round) for e in timeline] == [
        ("提交审核", "inst_411402", 1), ("通过", "county_411402", 1),
        ("退回修改", "reviewer_411400", 1), ("提交审核", "inst_411402", 2),
        ("通过", "county_411402", 2)]
    assert timeline[2].step == "第 2 步/共 2 步（市级）"
    assert timeline[2].who == "商丘市人社局审核员"  # as pages name people
    assert timeline[2].reason == "补充材料"


def test_every_submission_and_decision_is_audited(people):
    start = AuditEvent.objects.order_by("-id").first().id
    review = submit(people)
    review = review_decide(actor=people["county"], review=review, decision="approve")
    review_decide(actor=people["city"], review=review, decision="reject", reason="虚报学员")
    events = list(AuditEvent.objects.filter(id__gt=start, object_type="core.review")
                  .order_by("id").values_list("action", "actor_name", "object_id"))
    assert events == [
        (ReviewAction.SUBMIT, "inst_411402", str(review.pk)),
        (ReviewAction.APPROVE, "county_411402", str(review.pk)),
        (ReviewAction.REJECT, "reviewer_411400", str(review.pk))]
    last = AuditEvent.objects.filter(action=ReviewAction.REJECT).first()
    assert last.changes["reason"] == "虚报学员"


def test_a_stale_decision_is_told_someone_else_decided(people):
    seen = submit(people)
    review_decide(actor=people["county"], review=seen, decision="approve")
    with pytest.raises(Conflict, match="已被他人处理"):
        review_decide(actor=people["city_both"], review=seen, decision="approve")


def test_an_unknown_decision_is_refused_naming_the_field(people):
    review = submit(people)
    with pytest.raises(ServiceError) as refused:
        review_decide(actor=people["county"], review=review, decision="maybe")
    assert "decision" in refused.value.errors
    assert Review.objects.get(pk=review.pk).step_index == 0


def test_an_approved_subject_filed_again_gets_a_new_review(people):
    first = submit(people)
    first = review_decide(actor=people["county"], review=first, decision="approve")
    first = review_decide(actor=people["city"], review=first, decision="approve")
    change = submit(people)  # e.g. a class's teacher changed after approval
    assert change.pk != first.pk and (change.state, change.step_index) == ("pending", 0)
    assert review_of(subject()) == change
    assert Review.objects.get(pk=first.pk).state == ReviewState.APPROVED
    assert [e.what for e in review_timeline(subject())] == ["提交审核", "通过", "通过", "提交审核"]
