"""Two officers decide the same step at the same moment, each on their own connection, on
PostgreSQL: the review row's lock lets exactly one decision through, and the other is told
in Chinese that someone else has decided it."""

import threading

import pytest
from django.db import connection, connections

from jineng.core.errors import Conflict
from jineng.core.models import Review, ReviewDecision
from jineng.core.review import review_decide, review_submit
from tests.core.review_kit import FIRST, KIND, grant, setup_kind, subject
from tests.orgs.test_browser import database_snapshot  # noqa: F401  (fixture)


@pytest.fixture
def committed(database_snapshot, transactional_db):  # noqa: F811
    if connection.vendor != "postgresql":
        pytest.skip("并发审核只在 PostgreSQL 上测试（SQLite 的写入本就串行）")
    database_snapshot.restore_if_flushed()


def test_two_officers_deciding_at_once_exactly_one_wins(committed, user_named):
    setup_kind()
    officers = [grant(user_named("county_411402"), FIRST),
                grant(user_named("city_411400"), FIRST, code="test_first_city")]
    review = review_submit(actor=user_named("inst_411402"), kind=KIND, subject=subject())
    start = threading.Barrier(len(officers))
    outcomes: dict[str, str] = {}

    def decide(officer):
        seen = Review.objects.get(pk=review.pk)
        try:
            start.wait()
            review_decide(actor=officer, review=seen, decision="approve")
            outcomes[officer.username] = "通过"
        except Conflict as exc:
            outcomes[officer.username] = exc.message
        finally:
            connections.close_all()

    threads = [threading.Thread(target=decide, args=(o,)) for o in officers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes.values()) == sorted(
        ["通过", "「商丘市梁园区金蓝领职业培训学校的备案」的这一步已被他人处理，请刷新后查看"])
    assert ReviewDecision.objects.filter(review=review).count() == 1
    assert Review.objects.get(pk=review.pk).step_index == 1


def test_two_first_submissions_at_once_start_one_review(committed, user_named):
    setup_kind()
    submitters = [user_named("inst_411402"), user_named("county_411402")]
    start = threading.Barrier(len(submitters))
    outcomes: dict[str, str] = {}

    def submit(actor):
        try:
            start.wait()
            review_submit(actor=actor, kind=KIND, subject=subject())
            outcomes[actor.username] = "提交"
        except Conflict as exc:
            outcomes[actor.username] = exc.message
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit, args=(a,)) for a in submitters]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes.values()) == sorted(
        ["提交", "「商丘市梁园区金蓝领职业培训学校的备案」已在审核中，不能重复提交"])
    assert Review.objects.filter(kind=KIND, object_id=subject().pk).count() == 1
