"""Import benchmark: the floor (fastest reader + COPY into a bare table with one unique
index) against the importer end to end, on PostgreSQL and SQLite, and django-import-export 4.x
on 10,000 rows of the same shape. Every measurement runs in a fresh child process so its peak
memory (ru_maxrss) is its own; an importer run also reports the peak PSS of its process and
its worker processes together (`tree_peak_pss_mb`) and their CPU seconds. Runs go in rounds
(every kind once a round); the parent prints medians and the importer/floor ratio of each
round.

    .venv/bin/python bench/gen_roster.py --rows 1000000 --out var/bench/roster_1m.xlsx
    .venv/bin/python bench/bench_import.py --file var/bench/roster_1m.xlsx --runs 3 \\
        --pg postgres://postgres@127.0.0.1:5432/jineng_bench --sqlite var/bench/bench.sqlite3 \\
        --only read_calamine,read_fastexcel,copy_floor,importer_pg,importer_sqlite

    # 10,000 rows against django-import-export (needs `pip install django-import-export`):
    .venv/bin/python bench/gen_roster.py --rows 10000 --bad-rate 0 --dup-rate 0 \\
        --out var/bench/clean_10k.xlsx
    .venv/bin/python bench/bench_import.py --file var/bench/clean_10k.xlsx --runs 3 \\
        --pg postgres://postgres@127.0.0.1:5432/jineng_bench \\
        --only importer_pg,iexport_default,iexport_bulk

Both databases must be migrated and hold the regions and target groups
(`jineng migrate && jineng loaddemo`); the benchmark empties their people tables.
"""

import argparse
import contextlib
import json
import os
import resource
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
KINDS = ("read_calamine", "read_fastexcel", "copy_floor", "importer_pg", "importer_sqlite",
         "iexport_default", "iexport_bulk", "copy_people")


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# ---------------------------------------------------------------- children


def child_read_calamine(args) -> dict:
    from python_calamine import CalamineWorkbook

    start = time.perf_counter()
    sheet = CalamineWorkbook.from_path(args.file).get_sheet_by_index(0)
    opened = time.perf_counter() - start
    n = 0
    for _ in sheet.iter_rows():
        n += 1
    return {"seconds": time.perf_counter() - start, "rows": n - 1, "open_seconds": opened}


def child_read_fastexcel(args) -> dict:
    import fastexcel

    start = time.perf_counter()
    table = fastexcel.read_excel(args.file).load_sheet(0, dtypes="string").to_arrow()
    return {"seconds": time.perf_counter() - start, "rows": table.num_rows}


def _escape(value) -> str:
    if value is None or value == "":
        return "\\N"
    s = str(value)
    return s.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def child_copy_floor(args) -> dict:
    """COPY the file's rows (as text, as read) into a bare table whose identity-number column
    has one unique index. The payload is built before the clock starts."""
    import psycopg
    from python_calamine import CalamineWorkbook

    rows = CalamineWorkbook.from_path(args.file).get_sheet_by_index(0).iter_rows()
    next(rows)
    seen, lines = set(), []
    for row in rows:
        number = str(row[1]).strip()
        if number in seen:
            continue  # the floor table would refuse it; the importer skips it too
        seen.add(number)
        lines.append("\t".join(_escape(v) for v in row[:10]))
    payload = ("\n".join(lines) + "\n").encode()
    del lines, seen
    with psycopg.connect(args.pg, autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS bench_floor")
        conn.execute(
            "CREATE TABLE bench_floor (name text, id_number text NOT NULL, sex text, "
            "birth text, phone text, region text, education text, employment text, "
            "groups text, card text)"
        )
        conn.execute("CREATE UNIQUE INDEX bench_floor_id ON bench_floor (id_number)")
        start = time.perf_counter()
        with conn.transaction(), conn.cursor() as cur, cur.copy(
            "COPY bench_floor FROM STDIN"
        ) as copy:
            for i in range(0, len(payload), 1 << 20):
                copy.write(payload[i: i + (1 << 20)])
        seconds = time.perf_counter() - start
        count = conn.execute("SELECT count(*) FROM bench_floor").fetchone()[0]
        conn.execute("DROP TABLE bench_floor")
    return {"seconds": seconds, "rows": count}


def child_copy_people(args) -> dict:
    """The database's share alone: the file's valid rows validated, de-duplicated and encoded
    (encryption included) before the clock starts, then what the importer asks of the server
    per batch of `--batch` on a first import: the binary COPY of the batch in hash order, in a
    savepoint, into the real people_person (its indexes and triggers), one commit a batch.
    `--lookups` adds the batch look-up that a batch takes once a registered person was met."""
    _django(args.pg)
    from django.db import transaction

    from jineng.core.spreadsheet_reader import open_rows
    from jineng.orgs.models import Region
    from jineng.people.importing import db
    from jineng.people.importing.columns import detect_header
    from jineng.people.importing.rows import COPY, HASH, References, RowValidator

    _empty_people()
    source = open_rows(args.file)
    first = next(source.rows)
    validate = RowValidator(detect_header([first], []), References(
        Region.objects.get(code="411402")))
    seen, batches, batch = set(), [], []
    for number, row in source.rows:
        record, errors = validate(number, row)
        if errors or record[HASH] in seen:
            continue
        seen.add(record[HASH])
        batch.append(record)
        if len(batch) == args.batch:
            batches.append(batch)
            batch = []
    batches.append(batch)
    writer = db.PostgresWriter(institution_id=None, default_region_id=validate.refs
                               .default_region_id)
    for b in batches:
        writer.add_copy_data(b)
        b.sort(key=lambda r: r[HASH])
    del seen
    start = time.perf_counter()
    rows = 0
    for records in batches:
        with transaction.atomic():
            if args.lookups:
                writer.existing([r[HASH] for r in records])
            with transaction.atomic():
                writer._copy_binary(db.PERSON, db.INSERT_COLUMNS, [r[COPY] for r in records])
        rows += len(records)
    return {"seconds": time.perf_counter() - start, "rows": rows}


def _django(url: str):
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jineng.settings")
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()


def _empty_people():
    from django.db import connection

    with connection.cursor() as c:
        if connection.vendor == "postgresql":
            c.execute("TRUNCATE people_personchange, people_person CASCADE")
        else:
            for table in ("people_personchange", "people_person"):
                c.execute(f"DELETE FROM {table}")


def child_importer(args, url: str) -> dict:
    _django(url)
    from django.db import connection

    from jineng.orgs.models import Region
    from jineng.people.importing.run import ImportOptions, import_file

    _empty_people()
    if connection.vendor == "sqlite":
        with connection.cursor() as c:
            c.execute("VACUUM")
    report = str(ROOT / "var" / "bench" / f"report_{os.getpid()}.xlsx")
    options = ImportOptions(region=Region.objects.get(code="411402"), mode=args.mode,
                            on_duplicate=args.on_duplicate, report_path=report,
                            file_name=Path(args.file).name, batch_size=args.batch)
    sampler = TreeMemory()
    cpu = os.times()
    start = time.perf_counter()
    result = import_file(args.file, options)
    seconds = time.perf_counter() - start
    cpu_after = os.times()
    sampler.stop()
    os.unlink(report)
    return {"seconds": seconds, **result.counts(), "db_seconds": round(result.db_seconds, 2),
            "wait_seconds": round(result.wait_seconds, 2),
            "reader": "stream" if _streams(args.file) else "calamine",
            "tree_peak_pss_mb": sampler.peak_mb,
            "cpu_importer_s": round(cpu_after.user + cpu_after.system - cpu.user - cpu.system, 1),
            "cpu_workers_s": round(cpu_after.children_user + cpu_after.children_system
                                   - cpu.children_user - cpu.children_system, 1)}


class TreeMemory(threading.Thread):
    """The peak of this process's memory plus its children's (the import's worker
    processes), as PSS: pages a forked worker shares with its parent count once, split
    between them. Sampled every second from /proc (reading smaps costs milliseconds)."""

    def __init__(self):
        super().__init__(daemon=True)
        self.peak_mb = 0.0
        self.done = threading.Event()
        self.start()

    def run(self):
        while not self.done.wait(1.0):
            pids = [os.getpid(), *_children(os.getpid())]
            total = sum(_pss_kb(pid) for pid in pids) / 1024
            self.peak_mb = max(self.peak_mb, round(total, 1))

    def stop(self):
        self.done.set()
        self.join()


def _children(pid: int) -> list[int]:
    out = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        with contextlib.suppress(OSError):
            out += [int(c) for c in (task / "children").read_text().split()]
    return out


def _pss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _streams(path) -> bool:
    from jineng.core import spreadsheet_reader
    from jineng.core.xlsx_stream import XlsxStream

    if not str(path).endswith(".xlsx"):
        return False
    stream = XlsxStream(path)
    try:
        return stream.sheet_bytes > spreadsheet_reader.STREAM_ABOVE_BYTES
    finally:
        stream.close()


def _iexport_resource(bulk: bool):
    import datetime as dt

    from import_export import fields, resources, widgets

    from jineng.core.crypto import encrypt
    from jineng.core.identity import mask, parse_identity
    from jineng.orgs.models import Region
    from jineng.people.models import Person
    from jineng.people.services import identity_hash

    class CachedRegionWidget(widgets.ForeignKeyWidget):
        """The best settings also avoid a query per row for the region."""

        def __init__(self):
            super().__init__(Region, "code")
            self.cache = {r.code: r for r in Region.objects.all()}

        def clean(self, value, row=None, **kwargs):
            return self.cache.get(str(value)) if value else None

    region_widget = CachedRegionWidget() if bulk else widgets.ForeignKeyWidget(Region, "code")

    class RawWidget(widgets.Widget):
        """Binary values (hash, ciphertexts) pass through as they are."""

        def clean(self, value, row=None, **kwargs):
            return value or None

        def render(self, value, obj=None, **kwargs):
            return bytes(value).hex() if value else ""

    class PersonResource(resources.ModelResource):
        household_region = fields.Field(attribute="household_region", column_name="户籍地",
                                        widget=region_widget)
        id_hash = fields.Field(attribute="id_hash", column_name="id_hash", widget=RawWidget())
        id_cipher = fields.Field(attribute="id_cipher", column_name="id_cipher",
                                 widget=RawWidget())
        phone_cipher = fields.Field(attribute="phone_cipher", column_name="phone_cipher",
                                    widget=RawWidget())

        class Meta:
            model = Person
            import_id_fields = ("id_hash",)
            fields = ("id_hash", "id_cipher", "id_masked", "doc_type", "name", "sex",
                      "birth_date", "phone_cipher", "phone_masked", "household_region",
                      "education", "employment_status")
            if bulk:
                use_bulk = True
                batch_size = 2000
                skip_diff = True
                force_init_instance = True  # no look-up per row (the file has no repeats)
                use_transactions = True

        def before_import_row(self, row, **kwargs):
            ident = parse_identity(row["身份证号"])
            row["id_hash"] = identity_hash(ident.doc_type, ident.number)
            row["id_cipher"] = encrypt(ident.number)
            row["id_masked"] = mask(ident.number)
            row["doc_type"] = ident.doc_type
            row["name"] = row["姓名"]
            row["sex"] = ident.sex
            row["birth_date"] = ident.birth_date
            phone = str(row["手机号"]).replace(" ", "")
            row["phone_cipher"] = encrypt(phone)
            row["phone_masked"] = f"{phone[:3]}****{phone[-4:]}"
            row["education"] = "senior"
            row["employment_status"] = "unemployed"

    del dt
    return PersonResource


def child_iexport(args, bulk: bool) -> dict:
    _django(args.pg)
    import tablib
    from python_calamine import CalamineWorkbook

    _empty_people()
    rows = CalamineWorkbook.from_path(args.file).get_sheet_by_index(0).to_python()
    computed = ["id_hash", "id_cipher", "id_masked", "doc_type", "name", "sex", "birth_date",
                "phone_cipher", "phone_masked", "education", "employment_status"]
    dataset = tablib.Dataset(*[[str(v) for v in r] + [""] * len(computed) for r in rows[1:]],
                             headers=[*rows[0], *computed])
    resource_class = _iexport_resource(bulk)
    start = time.perf_counter()
    result = resource_class().import_data(dataset, dry_run=False, raise_errors=True)
    seconds = time.perf_counter() - start
    from jineng.people.models import Person

    return {"seconds": seconds, "rows": len(dataset), "created": result.totals.get("new"),
            "persisted": Person.objects.count()}


def run_child(args) -> dict:
    kind = args.child
    if kind == "read_calamine":
        out = child_read_calamine(args)
    elif kind == "read_fastexcel":
        out = child_read_fastexcel(args)
    elif kind == "copy_floor":
        out = child_copy_floor(args)
    elif kind == "copy_people":
        out = child_copy_people(args)
    elif kind == "importer_pg":
        out = child_importer(args, args.pg)
    elif kind == "importer_sqlite":
        out = child_importer(args, f"sqlite:///{Path(args.sqlite).resolve()}")
    elif kind == "iexport_default":
        out = child_iexport(args, bulk=False)
    elif kind == "iexport_bulk":
        out = child_iexport(args, bulk=True)
    else:
        raise SystemExit(f"unknown kind {kind}")
    out["peak_mb"] = round(peak_mb(), 1)
    return out


# ---------------------------------------------------------------- parent


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description="roster import benchmark")
    parser.add_argument("--file", required=True)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432/jineng_bench")
    parser.add_argument("--sqlite", default=str(ROOT / "var" / "bench" / "bench.sqlite3"))
    parser.add_argument("--only", default=",".join(KINDS[:5]))
    parser.add_argument("--mode", default="partial")
    parser.add_argument("--on-duplicate", default="skip")
    parser.add_argument("--batch", type=int, default=10_000)
    parser.add_argument("--lookups", action="store_true", help="copy_people: with look-ups")
    parser.add_argument("--json", help="append the results to this JSON-lines file")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(run_child(args), default=str))
        return
    # Rounds: each round runs every kind once, so a drift in the shared machine's speed
    # (seen here: 20% within an hour) touches the floor and the importer alike.
    kinds = args.only.split(",")
    runs: dict[str, list] = {k: [] for k in kinds}
    for i in range(args.runs):
        for kind in kinds:
            cmd = [sys.executable, __file__, "--child", kind, *_pass(args)]
            done = subprocess.run(cmd, capture_output=True, text=True, check=False)
            if done.returncode:
                print(f"{kind} run {i + 1} failed:\n{done.stderr[-3000:]}", file=sys.stderr)
                continue
            out = json.loads(done.stdout.strip().splitlines()[-1])
            runs[kind].append(out)
            print(f"{kind} run {i + 1}: {json.dumps(out, ensure_ascii=False)}", file=sys.stderr,
                  flush=True)
    summary = {}
    for kind, done_runs in runs.items():
        if done_runs:
            summary[kind] = {
                "median_seconds": round(statistics.median(r["seconds"] for r in done_runs), 2),
                "runs": [round(r["seconds"], 2) for r in done_runs],
                "peak_mb": max(r["peak_mb"] for r in done_runs),
                "last": done_runs[-1],
            }
    _ratios(summary)
    _round_ratios(summary, runs)
    text = json.dumps({"file": args.file, "summary": summary}, ensure_ascii=False, indent=1)
    print(text)
    if args.json:
        with open(args.json, "a") as f:
            f.write(json.dumps({"file": args.file, "at": time.strftime("%Y-%m-%d %H:%M:%S"),
                                "summary": summary}, ensure_ascii=False) + "\n")


def _round_ratios(summary: dict, runs: dict) -> None:
    """importer / floor within each round (the floor: that round's fastest read plus its
    COPY), and the median of those."""
    reads = [runs[k] for k in ("read_calamine", "read_fastexcel") if runs.get(k)]
    if not reads or not runs.get("copy_floor"):
        return
    for k in ("importer_pg", "importer_sqlite"):
        ratios = []
        for i, run in enumerate(runs.get(k, [])):
            try:
                floor = (min(r[i]["seconds"] for r in reads)
                         + runs["copy_floor"][i]["seconds"])
            except IndexError:
                continue
            ratios.append(round(run["seconds"] / floor, 2))
        if ratios:
            summary[f"{k}_over_floor_by_round"] = ratios
            summary[f"{k}_over_floor_median_of_rounds"] = statistics.median(ratios)


def _pass(args) -> list[str]:
    return ["--file", args.file, "--pg", args.pg, "--sqlite", args.sqlite, "--mode", args.mode,
            "--on-duplicate", args.on_duplicate, "--batch", str(args.batch),
            *(["--lookups"] if args.lookups else [])]


def _ratios(summary: dict) -> None:
    med = {k: v["median_seconds"] for k, v in summary.items()}
    reads = [med[k] for k in ("read_calamine", "read_fastexcel") if k in med]
    if reads and "copy_floor" in med:
        floor = min(reads) + med["copy_floor"]
        summary["floor_seconds"] = round(floor, 2)
        for k in ("importer_pg", "importer_sqlite"):
            if k in med:
                summary[f"{k}_over_floor"] = round(med[k] / floor, 2)
    if "importer_pg" in med:
        rows = summary["importer_pg"]["last"].get("rows")
        for k in ("iexport_default", "iexport_bulk"):
            if k in med:
                summary[f"{k}_over_importer_pg"] = round(med[k] / med["importer_pg"], 1)
                if rows:
                    summary[f"{k}_rows_per_second"] = round(rows / med[k])
        if rows:
            summary["importer_pg_rows_per_second"] = round(rows / med["importer_pg"])


if __name__ == "__main__":
    main()
