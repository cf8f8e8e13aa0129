"""Imports in processes of their own, on a scratch site (an SQLite file in a temporary
JINENG_DATA_DIR, so every process sees what the others committed):

- a worker killed in the middle of a partial import leaves the people of its committed
  batches, each batch with its committed audit event; the import is then failed as orphaned;
- the scale-out path: with JINENG_REDIS_URL an import goes through Redis to real RQ workers.
  Under CI=true a Redis that does not answer at 127.0.0.1:6379 is a failure, elsewhere a
  skip. Each run claims a Redis database number of its own, so parallel runs do not collide.
"""

import json
import os
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from tests.people.test_import_kit import HEADERS, person_row, write_xlsx

REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379
CLAIM = "jineng:test-claim"
SRC = Path(__file__).resolve().parents[2] / "src"

SETUP = """
from django.conf import settings
settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
from django.core.management import call_command
call_command("migrate", verbosity=0)
call_command("loaddemo", stdout=open(os.devnull, "w"))
"""
UPLOAD = """
from jineng.orgs.models import Region, User
from jineng.people.importing.service import person_import_start
imp = person_import_start(actor=User.objects.get(username="county_411402"), upload=sys.argv[1],
                          file_name="名单.xlsx", region=Region.objects.get(code="411402"),
                          enqueue=sys.argv[2] == "queue")
print(imp.pk)
"""
# The importing process dies (no exception handler runs) when it starts batch number argv[2].
DIE_AT_BATCH = """
from jineng.people.importing.run import Importer
from jineng.people.importing.service import person_import_run
real, calls = Importer._write_batch, []
def write_batch(self, pending):
    calls.append(1)
    if len(calls) == int(sys.argv[2]):
        os._exit(9)
    return real(self, pending)
Importer._write_batch = write_batch
person_import_run(int(sys.argv[1]))
"""


class Site:
    def __init__(self, root: Path):
        self.env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        self.env.update(JINENG_DATA_DIR=str(root), PYTHONPATH=str(SRC),
                        DJANGO_SETTINGS_MODULE="jineng.settings")
        self.db_path = root / "jineng.sqlite3"

    def python(self, script: str, *args, env=None, returncode: int = 0) -> str:
        code = "import os, sys, django\ndjango.setup()\n" + script
        done = subprocess.run([sys.executable, "-c", code, *map(str, args)],
                              env={**self.env, **(env or {})}, timeout=600,
                              capture_output=True, text=True)
        assert done.returncode == returncode, done.stderr
        return done.stdout

    def jineng(self, *args, env=None) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "jineng.cli", *args],
                              env={**self.env, **(env or {})}, timeout=600,
                              capture_output=True, text=True)

    def upload(self, roster, *, queue: bool, env=None) -> int:
        out = self.python(UPLOAD, roster, "queue" if queue else "no", env=env)
        return int(out.strip().splitlines()[-1])

    def rows(self, sql: str, *params) -> list[tuple]:
        with sqlite3.connect(self.db_path) as db:
            return db.execute(sql, params).fetchall()

    def status(self, pk: int) -> tuple:
        return self.rows("SELECT status, created FROM people_personimport WHERE id = ?", pk)[0]

    def events(self, pk: int) -> list[tuple[str, dict]]:
        return [(action, json.loads(changes)) for action, changes in self.rows(
            "SELECT action, changes FROM core_auditevent WHERE object_type = ? "
            "AND object_id = ? ORDER BY seq", "people.personimport", str(pk))]

    def audit_verify(self) -> None:
        done = self.jineng("audit_verify")
        assert done.returncode == 0, done.stdout + done.stderr


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    site = Site(tmp_path_factory.mktemp("site"))
    site.python(SETUP)
    return site


def _roster(tmp_path, first: int, count: int) -> str:
    return write_xlsx(tmp_path / "名单.xlsx",
                      [HEADERS, *(person_row(first + i) for i in range(count))])


# ---------------------------------------------------------------- a worker that dies


def test_a_killed_import_keeps_its_audited_batches_and_is_failed_as_orphaned(site, tmp_path):
    """Ten rows in batches of three (file rows 2–4, 5–7, 8–10, 11); the process dies when
    it starts the third batch."""
    batches = {"JINENG_IMPORT_BATCH_ROWS": "3"}
    pk = site.upload(_roster(tmp_path, 800, 10), queue=False)
    site.python(DIE_AT_BATCH, pk, 3, env=batches, returncode=9)
    assert site.status(pk) == ("running", 0)
    names = {n for (n,) in site.rows("SELECT name FROM people_person WHERE name LIKE '测试八%'")}
    assert names == {f"测试八零{d}" for d in "零一二三四五"}  # rows 2–7
    events = site.events(pk)
    assert [a for a, _ in events] == ["import_start", "import_batch", "import_batch"]
    assert [(c["rows"], c["created"]) for _, c in events[1:]] == [([2, 4], 3), ([5, 7], 3)]
    site.audit_verify()

    still = site.python("from jineng.people.importing.service import mark_orphaned_imports\n"
                        "print(mark_orphaned_imports())")
    assert json.loads(still) == []  # ten minutes have not passed
    marked = site.python("from jineng.people.importing.service import mark_orphaned_imports\n"
                         "print(mark_orphaned_imports())",
                         env={"JINENG_IMPORT_STALE_MINUTES": "0"})
    assert json.loads(marked) == [pk]
    assert site.status(pk)[0] == "failed"
    reason, = site.rows("SELECT error_message FROM people_personimport WHERE id = ?", pk)[0]
    assert reason.startswith("导入进程已中断（超过 0 分钟无进展），请重新提交")
    assert site.events(pk)[-1][0] == "import"
    site.audit_verify()


# ---------------------------------------------------------------- the queues' workers


def test_the_demos_workers_keep_imports_apart(site, tmp_path):
    """scripts/serve's two database workers: the one for the other queues leaves an import
    queued, the one for `imports` runs it."""
    pk = site.upload(_roster(tmp_path, 900, 2), queue=True)
    once = ["--batch", "--no-reload", "--no-startup-delay"]
    others = site.jineng("db_worker", "--queue-name", "*", "--exclude-queues", "imports", *once)
    assert others.returncode == 0, others.stderr
    assert site.status(pk) == ("queued", 0)
    imports = site.jineng("db_worker", "--queue-name", "imports", *once)
    assert imports.returncode == 0, imports.stderr
    assert site.status(pk) == ("done", 2)


# ---------------------------------------------------------------- RQ on Redis


def _unavailable(reason: str):
    if os.environ.get("CI"):
        pytest.fail(f"CI 中必须用 Redis 测试 RQ 任务：{reason}")
    pytest.skip(reason)


@pytest.fixture
def redis_url():
    """A Redis database number no other run holds; its queues are removed afterwards."""
    try:
        import django_tasks_rq  # noqa: F401
        import redis
    except ImportError as exc:
        _unavailable(f"未安装 django-tasks-rq：{exc}")
    token = uuid.uuid4().hex
    try:
        for number in range(1, 16):
            client = redis.Redis(host=REDIS_HOST, port=REDIS_PORT, db=number,
                                 socket_connect_timeout=2)
            if client.set(CLAIM, token, nx=True, ex=1800):
                break
        else:
            _unavailable("Redis 的 1–15 号库都被其他测试占用")
    except redis.ConnectionError as exc:
        _unavailable(f"Redis {REDIS_HOST}:{REDIS_PORT} 无法连接：{exc}")
    yield f"redis://{REDIS_HOST}:{REDIS_PORT}/{number}"
    for key in client.scan_iter("rq:*"):
        client.delete(key)
    if client.get(CLAIM) == token.encode():
        client.delete(CLAIM)


def test_an_import_runs_end_to_end_through_rq_workers(site, tmp_path, redis_url):
    env = {"JINENG_REDIS_URL": redis_url}
    backend = site.python("from django.conf import settings\n"
                          "print(settings.TASKS['default']['BACKEND'])", env=env)
    assert backend.strip() == "django_tasks_rq.RQBackend"
    pk = site.upload(_roster(tmp_path, 700, 5), queue=True, env=env)
    assert site.status(pk) == ("queued", 0)

    def worker(queue: str):
        done = site.jineng("rqworker", queue, "--burst", "--job-class", "django_tasks_rq.Job",
                           "--worker-class", "rq.worker.SimpleWorker", env=env)
        assert done.returncode == 0, done.stderr

    worker("default")  # the other queues' worker leaves imports alone
    assert site.status(pk) == ("queued", 0)
    worker("imports")
    assert site.status(pk) == ("done", 5)
    assert site.rows("SELECT count(*) FROM people_person WHERE name LIKE '测试七%'") == [(5,)]
    assert [a for a, _ in site.events(pk)] == ["import_start", "import_batch", "import"]
    site.audit_verify()
