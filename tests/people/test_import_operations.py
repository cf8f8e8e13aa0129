"""Import operations: an audit event per committed batch, queueing after the commit, the
imports' own queue, and imports a dead worker left running."""

import datetime as dt

import pytest
from django.test import TestCase, override_settings
from django.utils import timezone

from jineng.core.audit import verify_chain
from jineng.core.models import AuditEvent
from jineng.orgs.models import Region
from jineng.people.importing import service
from jineng.people.importing.run import Importer
from jineng.people.models import PersonImport
from jineng.people.tasks import IMPORT_QUEUE, person_import_task
from tests.people.test_import_kit import HEADERS, person, person_row, write_xlsx

pytestmark = pytest.mark.django_db
FIRST = 400  # person_row sequence of the roster's first row (file row 2)


@pytest.fixture(autouse=True)
def media(tmp_path):
    with override_settings(MEDIA_ROOT=str(tmp_path / "media")):
        yield


@pytest.fixture
def county(user_named):
    return user_named("county_411402")


def _queued(county, tmp_path, rows: int = 10, mode: str = "partial") -> PersonImport:
    path = write_xlsx(tmp_path / "名单.xlsx",
                      [HEADERS, *(person_row(FIRST + i) for i in range(rows))])
    return service.person_import_start(actor=county, upload=path, file_name="名单.xlsx",
                                       region=Region.objects.get(code="411402"), mode=mode,
                                       enqueue=False)


def _events(imp, action):
    return list(AuditEvent.objects.filter(action=action, object_type="people.personimport",
                                          object_id=str(imp.pk)).order_by("id"))


def _crash_at_batch(monkeypatch, k: int):
    real, calls = Importer._write_batch, []

    def write_batch(self, pending):
        calls.append(len(pending))
        if len(calls) == k:
            raise RuntimeError("模拟崩溃")
        return real(self, pending)

    monkeypatch.setattr(Importer, "_write_batch", write_batch)


# ---------------------------------------------------------------- audit per batch


@override_settings(JINENG_IMPORT_BATCH_ROWS=3)
@pytest.mark.parametrize("k", [1, 3])
def test_a_crash_after_batch_k_leaves_batches_1_to_k_each_audited(county, tmp_path,
                                                                 monkeypatch, k):
    """Ten rows in batches of three (file rows 2–4, 5–7, 8–10, 11); batch k+1 crashes."""
    imp = _queued(county, tmp_path)
    _crash_at_batch(monkeypatch, k + 1)
    with pytest.raises(RuntimeError, match="模拟崩溃"):
        service.person_import_run(imp.pk)
    registered = [i for i in range(10) if person(FIRST + i) is not None]
    assert registered == list(range(3 * k))
    batches = _events(imp, "import_batch")
    assert [e.changes["rows"] for e in batches] == [[2 + 3 * b, 4 + 3 * b] for b in range(k)]
    assert [e.changes["created"] for e in batches] == [3] * k
    for i in registered:  # each committed person lies in a committed batch's rows
        assert any(lo <= i + 2 <= hi for lo, hi in (e.changes["rows"] for e in batches))
    assert len(_events(imp, "import_start")) == 1
    assert _events(imp, "import")[-1].changes["status"] == "failed"
    assert verify_chain() is None


@override_settings(JINENG_IMPORT_BATCH_ROWS=3)
def test_a_strict_import_writes_one_batch_event_and_none_when_rolled_back(county, tmp_path):
    imp = _queued(county, tmp_path, mode="strict")
    service.person_import_run(imp.pk)
    assert [e.changes["rows"] for e in _events(imp, "import_batch")] == [[2, 11]]
    assert _events(imp, "import_batch")[0].changes["created"] == 10
    bad = write_xlsx(tmp_path / "坏.xlsx", [HEADERS, person_row(450), person_row(451, 手机号="1")])
    rolled = service.person_import_start(actor=county, upload=bad, file_name="坏.xlsx",
                                         region=Region.objects.get(code="411402"),
                                         mode="strict", enqueue=False)
    service.person_import_run(rolled.pk)
    assert person(450) is None and _events(rolled, "import_batch") == []
    assert verify_chain() is None


# ---------------------------------------------------------------- queueing


def test_an_import_is_queued_only_when_its_transaction_commits(county, tmp_path):
    path = write_xlsx(tmp_path / "名单.xlsx", [HEADERS, person_row(FIRST)])
    region = Region.objects.get(code="411402")
    with TestCase.captureOnCommitCallbacks() as waiting:
        imp = service.person_import_start(actor=county, upload=path, file_name="名单.xlsx",
                                           region=region)
        imp.refresh_from_db()
        assert imp.status == "queued" and person(FIRST) is None
    assert len(waiting) == 1
    waiting[0]()  # the commit
    imp.refresh_from_db()
    assert (imp.status, imp.created) == ("done", 1)


def test_a_queue_that_is_down_fails_the_import_with_a_reason(county, tmp_path, monkeypatch):
    def down(*args, **kwargs):
        raise ConnectionError("Redis 不可用")

    from django_tasks.backends.immediate import ImmediateBackend

    monkeypatch.setattr(ImmediateBackend, "enqueue", down)
    with TestCase.captureOnCommitCallbacks(execute=True):
        imp = service.person_import_start(
            actor=county, upload=write_xlsx(tmp_path / "a.xlsx", [HEADERS, person_row(FIRST)]),
            file_name="a.xlsx", region=Region.objects.get(code="411402"))
    imp.refresh_from_db()
    assert imp.status == "failed" and "后台任务队列暂时不可用" in imp.error_message


def test_imports_have_their_own_queue(settings, county, tmp_path):
    """A worker of the other queues never picks an import up (the demo and the RQ setup
    run one worker per kind: tests/people/test_import_processes.py runs them)."""
    from django_tasks_db.models import DBTaskResult

    assert IMPORT_QUEUE in settings.TASK_QUEUES
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend",
                                  "QUEUES": settings.TASK_QUEUES}}
    with TestCase.captureOnCommitCallbacks(execute=True):
        imp = service.person_import_start(
            actor=county, upload=write_xlsx(tmp_path / "a.xlsx", [HEADERS, person_row(FIRST)]),
            file_name="a.xlsx", region=Region.objects.get(code="411402"))
    queued = DBTaskResult.objects.ready().get(args_kwargs__args=[imp.pk])
    assert queued.queue_name == "imports"
    assert not DBTaskResult.objects.ready().exclude(queue_name="imports").exists()


# ---------------------------------------------------------------- orphaned imports


def _running(county, tmp_path, minutes_silent: float) -> PersonImport:
    imp = _queued(county, tmp_path)
    beat = timezone.now() - dt.timedelta(minutes=minutes_silent)
    PersonImport.objects.filter(pk=imp.pk).update(status="running", started_at=beat,
                                                  heartbeat_at=beat)
    return imp


def test_an_import_whose_worker_died_is_failed_by_the_list(api_for, client_for, county,
                                                           tmp_path):
    dead = _running(county, tmp_path, minutes_silent=11)
    alive = _running(county, tmp_path, minutes_silent=1)
    listed = api_for("county_411402").get("/api/v1/people/imports").json()["items"]
    shown = {i["id"]: i for i in listed}
    assert shown[dead.pk]["status"] == "failed"
    assert shown[dead.pk]["error_message"].startswith(
        "导入进程已中断（超过 10 分钟无进展），请重新提交；中断前已提交的批次已保留")
    assert shown[alive.pk]["status"] == "running"
    assert _events(dead, "import")[-1].changes["status"] == "failed"
    page = client_for("county_411402").get("/people/imports/").content.decode()
    assert "失败" in page
    assert verify_chain() is None


def test_the_progress_page_of_a_dead_import_stops_saying_running(api_for, client_for, county,
                                                                 tmp_path):
    dead = _running(county, tmp_path, minutes_silent=30)
    html = client_for("county_411402").get(f"/people/imports/{dead.pk}/",
                                           headers={"HX-Request": "true"}).content.decode()
    assert "导入进程已中断（超过 10 分钟无进展）" in html and "every 2s" not in html
    again = _running(county, tmp_path, minutes_silent=30)
    polled = api_for("county_411402").get(f"/api/v1/people/imports/{again.pk}").json()
    assert polled["status"] == "failed" and "请重新提交" in polled["error_message"]


@override_settings(JINENG_IMPORT_STALE_MINUTES=3)
def test_the_next_import_task_fails_the_orphan_and_the_queue_goes_on(county, tmp_path):
    dead = _running(county, tmp_path, minutes_silent=4)
    path = write_xlsx(tmp_path / "下一个.xlsx", [HEADERS, person_row(460)])
    following = service.person_import_start(actor=county, upload=path, file_name="下一个.xlsx",
                                            region=Region.objects.get(code="411402"),
                                            enqueue=False)
    person_import_task.call(following.pk)
    dead.refresh_from_db()
    following.refresh_from_db()
    assert dead.status == "failed" and "超过 3 分钟无进展" in dead.error_message
    assert (following.status, following.created) == ("done", 1)


def test_an_import_given_up_while_it_still_runs_stops(county, tmp_path):
    imp = _running(county, tmp_path, minutes_silent=0)
    progress = service._Progress(imp.pk)
    progress(10, 100, False)  # still running: the heartbeat is written
    imp.refresh_from_db()
    assert imp.rows_done == 10 and imp.heartbeat_at > imp.started_at
    PersonImport.objects.filter(pk=imp.pk).update(status="failed")
    progress.last = 0
    with pytest.raises(service.ImportGivenUp):
        progress(20, 100, False)
