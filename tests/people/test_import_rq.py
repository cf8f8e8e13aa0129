"""The scale-out path: with JINENG_REDIS_URL an import goes through Redis to RQ workers.

A scratch site (an SQLite file, so the worker processes see what the test wrote) in a
temporary JINENG_DATA_DIR; the upload and the workers are `jineng` processes of their own.
Under CI=true a Redis that does not answer at 127.0.0.1:6379 is a failure, elsewhere a skip.
Each run claims a Redis database number of its own, so parallel runs do not collide."""

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
                          file_name="名单.xlsx", region=Region.objects.get(code="411402"))
print(imp.pk)
"""


def _unavailable(reason: str):
    if os.environ.get("CI"):
        pytest.fail(f"CI 中必须用 Redis 测试 RQ 任务：{reason}")
    pytest.skip(reason)


@pytest.fixture
def redis_db():
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
    yield number
    for key in client.scan_iter("rq:*"):
        client.delete(key)
    if client.get(CLAIM) == token.encode():
        client.delete(CLAIM)


@pytest.fixture
def site(tmp_path, redis_db):
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(JINENG_DATA_DIR=str(tmp_path / "site"), PYTHONPATH=str(SRC),
               JINENG_REDIS_URL=f"redis://{REDIS_HOST}:{REDIS_PORT}/{redis_db}",
               DJANGO_SETTINGS_MODULE="jineng.settings")

    def python(script: str, *args: str) -> str:
        code = "import os, sys, django\ndjango.setup()\n" + script
        done = subprocess.run([sys.executable, "-c", code, *args], env=env, timeout=600,
                              capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        return done.stdout

    def jineng(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "jineng.cli", *args], env=env,
                              timeout=600, capture_output=True, text=True)

    python(SETUP)
    db = sqlite3.connect(tmp_path / "site" / "jineng.sqlite3")
    yield python, jineng, db
    db.close()


def _worker(jineng, queue: str):
    done = jineng("rqworker", queue, "--burst", "--job-class", "django_tasks_rq.Job",
                  "--worker-class", "rq.worker.SimpleWorker")
    assert done.returncode == 0, done.stderr


def test_an_import_runs_end_to_end_through_an_rq_worker(site, tmp_path):
    python, jineng, db = site
    roster = write_xlsx(tmp_path / "名单.xlsx", [HEADERS, *(person_row(700 + i)
                                                            for i in range(5))])
    pk = int(python(UPLOAD, roster).strip().splitlines()[-1])

    def status():
        return db.execute("SELECT status, created FROM people_personimport WHERE id = ?",
                          [pk]).fetchone()

    assert status() == ("queued", 0)
    _worker(jineng, "default")  # the other queues' worker leaves imports alone
    assert status() == ("queued", 0)
    _worker(jineng, "imports")
    assert status() == ("done", 5)
    assert db.execute("SELECT count(*) FROM people_person WHERE name LIKE '测试七%'"
                      ).fetchone() == (5,)
    actions = [a for (a,) in db.execute(
        "SELECT action FROM core_auditevent WHERE object_id = ? AND object_type = ? "
        "ORDER BY seq", [str(pk), "people.personimport"])]
    assert actions == ["import_start", "import_batch", "import"]
    verify = jineng("audit_verify")
    assert verify.returncode == 0, verify.stdout + verify.stderr
    assert json.loads(python("from django.conf import settings\n"
                             "import json; print(json.dumps(settings.TASKS))"))[
        "default"]["BACKEND"] == "django_tasks_rq.RQBackend"
