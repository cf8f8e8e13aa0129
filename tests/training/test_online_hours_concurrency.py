"""A platform's retry racing its first attempt, each on its own connection, on PostgreSQL:
one row, counted once; two different records at once for one trainee are both counted (the
enrolment's row lock keeps the stored sum right)."""

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.db import connection, connections
from django.utils import timezone

from jineng.training import completion
from jineng.training.models import ClassStatus, OnlineHours
from tests.orgs.test_browser import database_snapshot  # noqa: F401  (fixture)
from tests.training import factories

TODAY = timezone.localdate()


@pytest.fixture
def committed(database_snapshot, transactional_db):  # noqa: F811
    if connection.vendor != "postgresql":
        pytest.skip("并发报送只在 PostgreSQL 上测试（SQLite 的写入本就串行）")
    database_snapshot.restore_if_flushed()


def _race(platform, batches) -> list:
    start = threading.Barrier(len(batches))
    out = []

    def post(records):
        try:
            start.wait()
            out.extend(completion.online_hours_post(actor=platform, records=records))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=post, args=(b,)) for b in batches]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return out


def _setup(user_named):
    training_class = factories.training_class(start=TODAY - dt.timedelta(days=3), days=10,
                                              planned_hours=40, allows_online=True,
                                              status=ClassStatus.RUNNING)
    return user_named("platform_410000"), factories.enrolment(training_class)


def _record(enrolment, record_id, hours="3"):
    return {"record_id": record_id, "id_number": enrolment.person.full_id, "course": "线上课",
            "hours": hours, "studied_on": str(TODAY - dt.timedelta(days=1))}


def test_the_same_record_twice_at_once_is_one_row(committed, user_named):
    platform, enrolment = _setup(user_named)
    results = _race(platform, [[_record(enrolment, "SAME")], [_record(enrolment, "SAME")]])
    assert sorted(r.status for r in results) == ["accepted", "duplicate"]
    assert OnlineHours.objects.filter(record_id="SAME").count() == 1
    enrolment.refresh_from_db()
    assert enrolment.online_hours == Decimal(3)


def test_two_records_at_once_are_both_counted(committed, user_named):
    platform, enrolment = _setup(user_named)
    results = _race(platform, [[_record(enrolment, "A")], [_record(enrolment, "B", "4")]])
    assert [r.status for r in results] == ["accepted", "accepted"]
    enrolment.refresh_from_db()
    assert enrolment.online_hours == Decimal(7)
