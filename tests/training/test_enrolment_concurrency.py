"""Two operators enrol two people into the last seat at the same moment, each on their own
connection, on PostgreSQL: the class row's lock lets exactly one through, and the other is
told in Chinese that the class is full."""

import threading

import pytest
from django.db import connection, connections

from jineng.core.errors import ServiceError
from jineng.orgs.models import User
from jineng.training import enrolment as svc
from jineng.training.models import Enrolment
from tests.orgs.test_browser import database_snapshot  # noqa: F401  (fixture)
from tests.training import factories


@pytest.fixture
def committed(database_snapshot, transactional_db):  # noqa: F811
    if connection.vendor != "postgresql":
        pytest.skip("并发报名只在 PostgreSQL 上测试（SQLite 的写入本就串行）")
    database_snapshot.restore_if_flushed()


def test_two_operators_enrolling_the_last_seat_one_wins(committed, user_named):
    operator = user_named("inst_411402")
    klass = factories.training_class(operator.institution, capacity=1)
    people = []
    for name in ("甲学员", "乙学员"):
        p = factories.person("411402", name)
        p.target_groups = ["rural_migrant"]
        p.save()
        people.append(p)
    officer = User.objects.get(username="county_411402")
    actors = [operator, officer]
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def go(actor, person):
        try:
            start.wait()
            svc.enrol(actor=actor, training_class=klass, person=person)
            outcomes.append("报名")
        except ServiceError as exc:
            outcomes.append(exc.errors.get("training_class", exc.message))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=go, args=pair) for pair in zip(actors, people,
                                                                       strict=True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    full = "「电工培训班」计划人数 1 人，已报满（已报名 1 人）"
    assert sorted(outcomes) == sorted(["报名", full])
    assert Enrolment.objects.filter(training_class=klass).count() == 1
