"""Two scans of the same trainee at the same moment, each on its own connection, on
PostgreSQL: one row, and both answers are that row's."""

import datetime as dt
import threading
import time

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
        pytest.skip("并发签到只在 PostgreSQL 上测试（SQLite 的写入本就串行）")
    database_snapshot.restore_if_flushed()


def test_two_scans_at_once_make_one_row(committed, monkeypatch):
    klass = factories.training_class(start=timezone.localdate() - dt.timedelta(days=1))
    session = klass.sessions.order_by("starts_at").first()
    worker = make_worker("并发学员")
    factories.enrolment(klass, who=worker.person)
    now = session.starts_at + dt.timedelta(minutes=2)
    token = attendance.qr_token(session, now=now)
    answers, errors = [], []
    # The first scan has read (no record yet) and holds the trainee's enrolment locked; the
    # second, started then, waits on that lock, and once the first commits it finds the
    # first's row and answers with it.
    first_read, release = threading.Event(), threading.Event()
    nearby = attendance._nearby

    def read_then_wait(*args):
        found = nearby(*args)
        if threading.current_thread().name == "first":
            first_read.set()
            release.wait(timeout=10)
        return found

    monkeypatch.setattr(attendance, "_nearby", read_then_wait)

    def scan():
        try:
            done = attendance.check_in(actor=worker, token=token, lat=VENUE[0], lng=VENUE[1],
                                       device_id="phone", now=now)
            answers.append((done.attendance.pk, done.created))
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    first = threading.Thread(target=scan, name="first")
    second = threading.Thread(target=scan, name="second")
    first.start()
    assert first_read.wait(timeout=10)
    second.start()
    waited = False
    for _ in range(100):  # the second scan's connection waits on the enrolment's row lock
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_stat_activity "
                           "WHERE wait_event_type = 'Lock' AND datname = current_database()")
            waited = cursor.fetchone()[0] == 1
        if waited:
            break
        time.sleep(0.05)
    release.set()
    for t in (first, second):
        t.join()
    assert waited, "第二次扫码没有等待学员报名记录的行锁"
    assert errors == []
    assert Attendance.objects.filter(session=session).count() == 1
    pk = Attendance.objects.get(session=session).pk
    assert sorted(answers, key=lambda a: a[1]) == [(pk, False), (pk, True)]
