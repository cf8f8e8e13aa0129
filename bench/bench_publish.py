"""Publishing benchmark: a held plan with 100,000 entered results published into certificates
(`evaluation.results.plan_results_publish`: results fixed, the passes' numbers allocated and
their rows written, the audit events; the signatures are made by the task the commit
enqueues, timed separately as `sign_s`), against a COPY of the same
certificate rows into a table like the certificates' (same columns, indexes and constraints),
in the same run, on PostgreSQL. Goal: within 3x. PDFs are rendered on demand, not here.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jineng_bench_publish \\
        .venv/bin/python bench/bench_publish.py --rows 100000 --rounds 3 \\
        --json bench/results.jsonl

Each round builds its own plan (of the demo's 豫东职业技能评价中心, 家政服务员 初级) with
`--rows` new people as candidates, every result entered by eval_411402 with 90 % passing, and
the county officer publishes it in one transaction, timed to its commit. The certificates it
wrote are then copied out (COPY … TO STDOUT) and the floor is the COPY of those bytes into
an empty `bench_certificate_copy` (CREATE TABLE … LIKE evaluation_certificate INCLUDING ALL),
also timed to its commit.
"""

import argparse
import hashlib
import io
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT), str(ROOT / "bench")]

import bench_checkin as server  # noqa: E402  (setup_django)


def prepare_plan(rows: int, tag: str):
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from jineng.catalog.models import EvaluationType
    from jineng.evaluation.models import (
        BodyFiling,
        Candidate,
        CandidateSource,
        EvaluationPlan,
        PlanStatus,
        Result,
    )
    from jineng.orgs.models import Region, User
    from jineng.people.models import Person

    assert connection.vendor == "postgresql", "这个基准只在 PostgreSQL 上跑（DATABASE_URL）"
    call_command("migrate", verbosity=0)
    if not Region.objects.filter(code="411403").exists():
        with open(os.devnull, "w") as quiet:
            call_command("loaddemo", stdout=quiet)
    filing = BodyFiling.objects.get(institution__name="商丘市梁园区豫东职业技能评价中心",
                                    status="filed")
    model_plan = EvaluationPlan.objects.filter(filing=filing).first()
    operator = User.objects.get(username="eval_411402")
    base = Person.objects.filter(certificates__isnull=False).first()
    with transaction.atomic():
        plan = EvaluationPlan.objects.create(
            filing=filing, code=f"BENCH{tag}", name=f"基准考核 {tag}",
            evaluation_type=EvaluationType.objects.get(code="skill_level"),
            occupation=model_plan.occupation, work_type=model_plan.work_type,
            level=model_plan.level, region=model_plan.region, site=900, venue="基准考场",
            exam_date=timezone.localdate(), status=PlanStatus.HELD, created_by=operator,
            results_entered_by=operator)
        people = Person.objects.bulk_create([
            Person(id_hash=hashlib.sha256(f"bench-publish-{tag}-{i}".encode()).digest(),
                   id_cipher=base.id_cipher, id_masked=base.id_masked, doc_type=base.doc_type,
                   name=f"基准考生{i}", household_region_id=base.household_region_id)
            for i in range(rows)], batch_size=5000)
        candidates = Candidate.objects.bulk_create([
            Candidate(plan=plan, person=p, source=CandidateSource.DIRECT, added_by=operator)
            for p in people], batch_size=5000)
        Result.objects.bulk_create([
            Result(candidate=c, theory_score=80 if i % 10 else 50, practical_score=85,
                   passed=bool(i % 10), entered_by=operator)
            for i, c in enumerate(candidates)], batch_size=5000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return plan


def publish(plan) -> tuple[float, int]:
    from jineng.evaluation.results import plan_results_publish
    from jineng.orgs.models import User

    officer = User.objects.get(username="county_411402")
    began = time.perf_counter()
    issued = plan_results_publish(actor=officer, plan=plan)  # its own transaction, committed
    return time.perf_counter() - began, issued


def sign(plan) -> float:
    """What the task enqueued at the commit does (not part of the goal: after the commit)."""
    from jineng.evaluation.certificates import certificates_sign

    began = time.perf_counter()
    certificates_sign(plan.pk)
    return time.perf_counter() - began


def copy_floor(plan) -> float:
    from django.db import connection, transaction

    table = "evaluation_certificate"
    with connection.cursor() as cursor:
        out = io.BytesIO()
        with cursor.copy(f"COPY (SELECT * FROM {table} WHERE plan_id = {int(plan.pk)}) "
                         "TO STDOUT") as copy:
            for chunk in copy:
                out.write(bytes(chunk))
        cursor.execute("DROP TABLE IF EXISTS bench_certificate_copy")
        cursor.execute(f"CREATE TABLE bench_certificate_copy (LIKE {table} INCLUDING ALL)")
    data = out.getvalue()
    began = time.perf_counter()
    with (transaction.atomic(), connection.cursor() as cursor,
          cursor.copy("COPY bench_certificate_copy FROM STDIN") as copy):
        copy.write(data)
    return time.perf_counter() - began


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    server.setup_django()
    tag0 = str(int(time.time()))
    rounds = []
    for n in range(1, args.rounds + 1):
        plan = prepare_plan(args.rows, f"{tag0}-{n}")
        seconds, issued = publish(plan)
        signing = sign(plan)
        floor = copy_floor(plan)
        rounds.append({"publish_s": round(seconds, 2), "copy_s": round(floor, 2),
                       "sign_s": round(signing, 2), "certificates": issued,
                       "ratio": round(seconds / floor, 2)})
        print(f"round {n}: publish {seconds:.2f} s ({issued} certificates) | "
              f"COPY {floor:.2f} s | ratio {seconds / floor:.2f} | then signed by the task in "
              f"{signing:.2f} s", flush=True)
    summary = {"bench": "publish", "at": server.dt.datetime.now(server.dt.UTC).isoformat(
        timespec="seconds"), "rows": args.rows, "rounds": rounds,
        "median_ratio": statistics.median(r["ratio"] for r in rounds),
        "load_average": os.getloadavg()}
    print(json.dumps(summary, ensure_ascii=False))
    if args.json:
        with args.json.open("a") as out:
            out.write(json.dumps(summary, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
