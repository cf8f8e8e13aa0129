"""Whatever officers do, in whatever order, the chain holds: within a round no one decides
two steps and the submitter decides none, a review is approved only when every step of its
round was approved, and the approval hook runs once per approved review (never else)."""

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jineng.core.errors import ServiceError
from jineng.core.models import Review, ReviewDecision, ReviewState
from jineng.core.review import review_decide, review_of, review_submit
from tests.core.review_kit import FIRST, HOOKS, KIND, SECOND, grant, setup_kind, subject

pytestmark = pytest.mark.django_db

ACTORS = ["inst_411402", "county_411402", "county_411403", "reviewer_411400", "city_411400"]
MOVES = st.lists(st.tuples(st.sampled_from(ACTORS + ["resubmit"]),
                           st.sampled_from(["approve", "return", "reject"])), max_size=12)


@pytest.fixture
def officers(user_named):
    setup_kind()
    grant(user_named("county_411402"), FIRST)
    grant(user_named("county_411403"), FIRST)
    grant(user_named("reviewer_411400"), SECOND)
    grant(user_named("city_411400"), FIRST, SECOND, code="test_both")
    return {name: user_named(name) for name in ACTORS}


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(moves=MOVES)
def test_any_sequence_of_decisions_keeps_the_chain(officers, moves):
    with transaction.atomic():
        HOOKS.calls.clear()
        submitter = officers["inst_411402"]
        review_submit(actor=submitter, kind=KIND, subject=subject())
        for who, decision in moves:
            try:
                if who == "resubmit":
                    review_submit(actor=submitter, kind=KIND, subject=subject())
                else:
                    review_decide(actor=officers[who], review=review_of(subject()),
                                  decision=decision, reason="理由")
            except ServiceError:
                pass
        # An approved subject may be filed again (a change): each review is checked.
        reviews = Review.objects.filter(object_id=subject().pk, kind=KIND)
        for review in reviews:
            decisions = ReviewDecision.objects.filter(review=review)
            for round_ in set(decisions.values_list("round", flat=True)):
                actors = list(decisions.filter(round=round_).values_list("actor_name",
                                                                         flat=True))
                assert len(actors) == len(set(actors)), actors
                assert submitter.username not in actors
            if review.state == ReviewState.APPROVED:
                last = decisions.filter(round=review.round).order_by("step_index")
                assert list(last.values_list("decision", flat=True)) == ["approve", "approve"]
        approved = [c for c in HOOKS.calls if c[0] == "approved"]
        assert len(approved) == reviews.filter(state=ReviewState.APPROVED).count()
        transaction.set_rollback(True)
