"""Enrolment benchmark: a roster enrolled into a class (training.enrolment.enrol_roster: the
registry's importer registering the new people, every batch checked against the enrolment
rules, the enrolments written set-based) against the registry import of the same file
(people.importing.run.import_file) in the same run, on PostgreSQL. Goal: within 1.5×.

    .venv/bin/python bench/bench_enrol.py --rows 100000 --runs 3 \\
        --pg postgres://postgres@127.0.0.1:5432/jineng_enrol

The database must be migrated and hold the demo (`jineng migrate && jineng loaddemo`); the
benchmark empties its people (TRUNCATE ... CASCADE, so the training records that name them
too). The roster is bench/gen_roster.py's, every person in 梁园区 (411402), where the
enrolling institution (金蓝领, inst_411402) is: 1 % bad rows and 0.2 % repeats, as there.
Both sides run as the institution's operator, in the default partial mode. Every
measurement runs in a fresh child process; runs go in rounds (each kind once a round) and
the ratio is taken within each round, as bench_import.py does.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
KINDS = ("import", "enrol")


def make_roster(rows: int, out: Path) -> Path:
    """gen_roster.py's rows, every one in 梁园区 (same seed, same file)."""
    import gen_roster

    if out.exists():
        return out
    out.parent.mkdir(parents=True, exist_ok=True)
    gen_roster.county_codes = lambda: ["411402"]
    gen_roster.write_xlsx(out, rows, seed=20260115)
    return out


def _django(url: str):
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jineng.settings")
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()


def _empty():
    from django.db import connection

    with connection.cursor() as c:
        c.execute("TRUNCATE people_personchange, people_person, training_enrolment CASCADE")


def _class(operator):
    """An approved class of the operator's institution, open to anyone of its region, with
    seats for the whole file and three sessions."""
    import datetime as dt
    from decimal import Decimal

    from django.utils import timezone

    from jineng.catalog.models import FundSource, Occupation, Programme, SkillLevel
    from jineng.training.models import ClassStatus, TrainingClass

    start = timezone.localdate() + dt.timedelta(days=7)
    return TrainingClass.objects.create(
        code=f"BENCH{os.getpid()}{time.time_ns() % 10**6}", name="报名基准班",
        institution=operator.institution, region=operator.institution.region,
        programme=Programme.objects.get(code="SQ-2022-05"),  # no target groups
        occupation=Occupation.objects.filter(code="4-10-01-06", is_current=True).first(),
        level=SkillLevel.objects.get(code="5"),
        fund_source=FundSource.objects.get(code="employment_subsidy"),
        venue="梁园区", venue_lat=Decimal("34.4"), venue_lng=Decimal("115.6"),
        start_date=start, end_date=start + dt.timedelta(days=10), planned_hours=80,
        capacity=1_000_000, status=ClassStatus.APPROVED)


def child(kind: str, args) -> dict:
    _django(args.pg)
    from django.db import transaction

    from jineng.orgs.models import User
    from jineng.people.importing.run import ImportOptions, import_file
    from jineng.training import enrolment

    _empty()
    operator = User.objects.get(username="inst_411402")
    if kind == "import":
        options = ImportOptions(region=operator.institution.region, actor=operator,
                                institution_id=operator.institution_id,
                                file_name=Path(args.file).name)
        start = time.perf_counter()
        result = import_file(args.file, options)
        seconds = time.perf_counter() - start
        return {"seconds": seconds, **result.counts()}
    klass = _class(operator)
    start = time.perf_counter()
    with transaction.atomic():
        result = enrolment.enrol_roster(actor=operator, training_class=klass, path=args.file,
                                        file_name=Path(args.file).name)
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "rows": result.rows, "enrolled": result.enrolled,
            "registered": result.registered, "rejected": result.rejected_count}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description="roster enrolment benchmark")
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--file", help="default: var/bench/enrol_<rows>.xlsx (made if missing)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432/jineng_enrol")
    parser.add_argument("--json", help="append the results to this JSON-lines file")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.file = args.file or str(ROOT / "var" / "bench" / f"enrol_{args.rows}.xlsx")
    if args.child:
        print(json.dumps(child(args.child, args), default=str))
        return
    make_roster(args.rows, Path(args.file))
    runs: dict[str, list] = {k: [] for k in KINDS}
    for i in range(args.runs):
        for kind in KINDS:
            cmd = [sys.executable, __file__, "--child", kind, "--file", args.file,
                   "--pg", args.pg]
            done = subprocess.run(cmd, capture_output=True, text=True, check=False)
            if done.returncode:
                print(f"{kind} run {i + 1} failed:\n{done.stderr[-3000:]}", file=sys.stderr)
                continue
            out = json.loads(done.stdout.strip().splitlines()[-1])
            runs[kind].append(out)
            print(f"{kind} run {i + 1}: {json.dumps(out, ensure_ascii=False)}",
                  file=sys.stderr, flush=True)
    ratios = [e["seconds"] / m["seconds"] for m, e in zip(runs["import"], runs["enrol"],
                                                          strict=False)]
    summary = {
        kind: {"median_seconds": round(statistics.median(r["seconds"] for r in done), 2),
               "runs": [round(r["seconds"], 2) for r in done], "last": done[-1]}
        for kind, done in runs.items() if done}
    if ratios:
        summary["enrol_over_import"] = {"rounds": [round(r, 2) for r in ratios],
                                        "median": round(statistics.median(ratios), 2)}
    text = json.dumps({"file": args.file, "summary": summary}, ensure_ascii=False, indent=1)
    print(text)
    if args.json:
        with open(args.json, "a") as f:
            f.write(json.dumps({"bench": "enrol", "file": args.file,
                                "at": time.strftime("%Y-%m-%d %H:%M:%S"),
                                "summary": summary}, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
