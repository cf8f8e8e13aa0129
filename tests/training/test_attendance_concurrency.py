"""Two scans of the same trainee at the same moment, each on its own connection, on
PostgreSQL: one row, and both answers are that row's."""

import datetime as dt
import threading

import pytest
from django.db import connection, connections
from django.utils import timezone

from jineng.training import attendance
from jineng.training.models import Attendance
from tests.orgs.test_browser import database_snapshot  # noqa: F401  (fixture)
from tests.training import factories
from tests.training.test_attendance import VENUE, make_worker


@pytest.fixture
def committed(database_snapshot, transactional_db):  # noqa: F811
    if connection.vendor != "postgresql":
        pytest.skip("并发签到只在 PostgreSQL 上测试（SQLite 的写入本就串行；"
                    "失败一方的分支另有测试）")
    database_snapshot.restore_if_flushed()


def test_two_scans_at_once_make_one_row(committed, monkeypatch):
    klass = factories.training_class(start=timezone.localdate() - dt.timedelta(days=1))
    session = klass.sessions.order_by("starts_at").first()
    worker = make_worker("并发学员")
    factories.enrolment(klass, who=worker.person)
    now = session.starts_at + dt.timedelta(minutes=2)
    token = attendance.qr_token(session, now=now)
    start = threading.Barrier(2)
    answers, errors = [], []
    # Both read before either writes: the second insert meets the first on the unique
    # constraint (it waits for the first to commit) and answers with its row.
    both_read = threading.Barrier(2)
    nearby = attendance._nearby

    def read_then_wait(*args):
        found = nearby(*args)
        both_read.wait(timeout=10)
        return found

    monkeypatch.setattr(attendance, "_nearby", read_then_wait)

    def scan():
        try:
            start.wait()
            done = attendance.check_in(actor=worker, token=token, lat=VENUE[0], lng=VENUE[1],
                                       device_id="phone", now=now)
            answers.append((done.attendance.pk, done.created))
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=scan) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert Attendance.objects.filter(session=session).count() == 1
    pk = Attendance.objects.get(session=session).pk
    assert sorted(answers, key=lambda a: a[1]) == [(pk, False), (pk, True)]
