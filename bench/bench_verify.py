"""Certificate verification benchmark: the public `GET /api/v1/certificates/verify?number=`
and the public page `GET /evaluation/verify/?number=` under gunicorn on PostgreSQL, 32
concurrent clients, against a bare view in the same server that does one indexed look-up
(`GET /training/bench/lookup/<pk>/`, mounted only with JINENG_BENCH_VIEWS=1). Goal: each at
least 80 % of the bare view's requests per second. All three are anonymous, as a person
checking a certificate is.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jineng_bench_verify \\
        .venv/bin/python bench/bench_verify.py --rounds 3 --requests 4000 \\
        --json bench/results.jsonl

The database is migrated and given the demo if it is empty; the benchmark adds 20,000
certificates (prefixed holders `基准持证人`) once, so the look-ups spread over a real index.
Each round measures the bare view, the API and the page, and the ratios are taken within the
round; the medians of the rounds are reported. The numbers asked for are random issued ones
(9 in 10) and random well-formed unknown ones (1 in 10).
"""

import argparse
import asyncio
import json
import os
import random
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT), str(ROOT / "bench")]

import bench_checkin as server  # noqa: E402  (the same gunicorn and clients)

CERTIFICATES = 20_000
TARGETS = {"api": "/api/v1/certificates/verify?number=", "page": "/evaluation/verify/?number="}


def prepare() -> dict:
    """Numbers to ask for, and sessions for the bare view, after making sure the database
    has the demo and the benchmark's certificates."""
    server.setup_django()
    from django.core.management import call_command
    from django.db import connection

    from jineng.evaluation.models import Certificate
    from jineng.orgs.models import Region
    from jineng.training.models import Session

    assert connection.vendor == "postgresql", "这个基准只在 PostgreSQL 上跑（DATABASE_URL）"
    call_command("migrate", verbosity=0)
    if not Region.objects.filter(code="411403").exists():
        with open(os.devnull, "w") as quiet:
            call_command("loaddemo", stdout=quiet)
    if Certificate.objects.count() < CERTIFICATES:
        _certificates(CERTIFICATES)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    numbers = list(Certificate.objects.values_list("number", flat=True)[:CERTIFICATES])
    sessions = list(Session.objects.values_list("pk", flat=True)[:200])
    return {"numbers": numbers, "sessions": sessions}


def _certificates(count: int) -> None:
    """Certificates cloned from a demo one, for new people: the rows verification reads."""
    import hashlib

    from django.db import transaction

    from jineng.evaluation.models import Certificate, Result
    from jineng.people.models import Person

    model = Certificate.objects.select_related("result__candidate").first()
    assert model is not None, "演示数据中没有证书：请先 loaddemo"
    base = Person.objects.get(pk=model.person_id)
    with transaction.atomic():
        people = Person.objects.bulk_create([
            Person(id_hash=hashlib.sha256(f"bench-verify-{i}".encode()).digest(),
                   id_cipher=base.id_cipher, id_masked=base.id_masked, doc_type=base.doc_type,
                   name=f"基准持证人{i}", household_region_id=base.household_region_id)
            for i in range(count)], batch_size=5000)
        results = Result.objects.bulk_create([
            Result(candidate=model.result.candidate, practical_score=80, theory_score=80,
                   passed=True, status="superseded") for _ in people], batch_size=5000)
        prefix = model.number[:15]
        Certificate.objects.bulk_create([
            Certificate(number=f"{prefix[:1]}9{prefix[2:15]}{i:07d}", person=p, result=r,
                        plan_id=model.plan_id, body_id=model.body_id, region_id=model.region_id,
                        occupation_id=model.occupation_id, work_type_id=model.work_type_id,
                        level_id=model.level_id, evaluation_type_id=model.evaluation_type_id,
                        issued_on=model.issued_on, key_id=model.key_id,
                        signature=model.signature)
            for i, (p, r) in enumerate(zip(people, results, strict=True))], batch_size=5000)


def verify_requests(path: str, numbers: list[str]):
    unknown = [f"S9{random.randrange(10**20):020d}" for _ in range(500)]

    def make(i):
        number = random.choice(unknown) if i % 10 == 0 else random.choice(numbers)
        return (f"GET {path}{number} HTTP/1.1\r\nHost: {server.HOST}\r\n"
                "Connection: keep-alive\r\n\r\n").encode()
    return make


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--requests", type=int, default=4000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--targets", default="api,page", help="api, page or both")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    data = prepare()
    proc = server.start_server(args.workers, args.threads)
    targets = {name: path for name, path in TARGETS.items() if name in args.targets.split(",")}
    rounds = []
    try:
        warm = server.lookup_requests(data["sessions"])
        asyncio.run(server.run_load(warm, 300, args.concurrency))
        for path in targets.values():
            asyncio.run(server.run_load(verify_requests(path, data["numbers"]), 300,
                                        args.concurrency))
        for n in range(1, args.rounds + 1):
            row = {"bare": asyncio.run(server.run_load(
                server.lookup_requests(data["sessions"]), args.requests, args.concurrency))}
            for name, path in targets.items():
                row[name] = asyncio.run(server.run_load(
                    verify_requests(path, data["numbers"]), args.requests, args.concurrency))
            for name in targets:
                row[f"{name}_ratio"] = round(row[name]["rps"] / row["bare"]["rps"], 3)
            rounds.append(row)
            print(f"round {n}: bare {row['bare']['rps']} req/s p99 {row['bare']['p99_ms']} ms | "
                  + " | ".join(f"{k} {row[k]['rps']} req/s p99 {row[k]['p99_ms']} ms "
                               f"{row[k]['statuses']} ratio {row[k + '_ratio']}"
                               for k in targets), flush=True)
    finally:
        proc.terminate()
        proc.wait()
    summary = {"bench": "verify", "at": server.dt.datetime.now(server.dt.UTC).isoformat(
        timespec="seconds"), "workers": args.workers, "threads": args.threads,
        "concurrency": args.concurrency, "requests_per_round": args.requests,
        "median_bare_rps": statistics.median(r["bare"]["rps"] for r in rounds),
        **{f"median_{k}_rps": statistics.median(r[k]["rps"] for r in rounds) for k in targets},
        **{f"median_{k}_ratio": statistics.median(r[f"{k}_ratio"] for r in rounds)
           for k in targets},
        "load_average": os.getloadavg()}
    print(json.dumps(summary, ensure_ascii=False))
    if args.json:
        with args.json.open("a") as out:
            out.write(json.dumps(summary, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
