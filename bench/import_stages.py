"""Where an import's time goes: one run of the importer on PostgreSQL with the writer's
database calls timed, and the CPU seconds of the importing process, its worker processes
and its PostgreSQL backend. What bench/RESULTS.md quotes as the CPU split.

    .venv/bin/python bench/import_stages.py var/bench/roster_1m.xlsx [--workers N]
        [--pg postgres://postgres@127.0.0.1:5432/jineng_bench]

The database must be migrated and hold the demo regions (see bench_import.py); its people
tables are emptied first.
"""

import argparse
import collections
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file")
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432/jineng_bench")
    args = parser.parse_args()
    os.environ["DATABASE_URL"] = args.pg
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jineng.settings")
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.db import connection
    from django.db.backends.base.base import BaseDatabaseWrapper

    from jineng.orgs.models import Region
    from jineng.people.importing import db
    from jineng.people.importing.run import ImportOptions, import_file

    spent: collections.Counter = collections.Counter()

    def timed(owner, name, label=None):
        inner = getattr(owner, name)

        def call(*a, **k):
            start = time.perf_counter()
            try:
                return inner(*a, **k)
            finally:
                spent[label or name] += time.perf_counter() - start

        setattr(owner, name, call)

    for name in ("existing", "insert", "update", "add_changes"):
        timed(db.PostgresWriter, name)
    timed(BaseDatabaseWrapper, "commit")
    with connection.cursor() as c:
        c.execute("TRUNCATE people_personchange, people_person CASCADE")
        c.execute("SELECT pg_backend_pid()")
        backend = c.fetchone()[0]
    options = ImportOptions(region=Region.objects.get(code="411402"),
                            report_path=str(ROOT / "var" / "bench" / "stages_report.xlsx"),
                            workers=args.workers)
    backend_before, cpu_before = _cpu_of(backend), os.times()
    start = time.perf_counter()
    result = import_file(args.file, options)
    seconds = time.perf_counter() - start
    cpu = os.times()
    print(json.dumps({
        "seconds": round(seconds, 1), **result.counts(),
        "writer_busy_s": round(result.db_seconds, 1),
        "reader_waiting_s": round(result.wait_seconds, 1),
        "writer_calls_s": {k: round(v, 1) for k, v in spent.items()},
        "cpu_s": {
            "importing_process": round(cpu.user + cpu.system - cpu_before.user
                                       - cpu_before.system, 1),
            "worker_processes": round(cpu.children_user + cpu.children_system
                                      - cpu_before.children_user - cpu_before.children_system,
                                      1),
            "postgresql_backend": round(_cpu_of(backend) - backend_before, 1),
        },
    }, ensure_ascii=False))


def _cpu_of(pid: int) -> float:
    """user + system seconds of a process on this machine (the database's backend)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


if __name__ == "__main__":
    main()
