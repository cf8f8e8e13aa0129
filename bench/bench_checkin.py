"""Check-in benchmark: `POST /api/v1/attendance/check-in` under gunicorn on PostgreSQL, 32
concurrent clients, against a bare view in the same server that does one indexed look-up
(`GET /training/bench/lookup/<pk>/`, mounted only with JINENG_BENCH_VIEWS=1). Goal: the
check-in's requests per second at least 60 % of the bare view's, its p99 under 100 ms.

Every check-in is a real one: a distinct trainee (their own login session and CSRF cookie,
as the phone page sends them) scanning the current token of a session whose window is open,
at the venue, so each request writes its row and its audit event. The bare view is measured
twice: anonymous, and sent as the check-in is (the trainees' session cookies and CSRF
header, so it pays what every signed-in request of this server pays). Runs go in rounds
(the bare view both ways, then the check-in, each round on a fresh session); the ratios are
taken within each round and the medians of the rounds are reported.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jineng_bench_checkin \\
        .venv/bin/python bench/bench_checkin.py --rounds 3 --requests 4000 \\
        --json bench/results.jsonl

The database is migrated and given the demo (regions, roles, policies) if it is empty; the
benchmark adds its own class, sessions and trainees (prefixed `bench_`) each run.
"""

import argparse
import asyncio
import datetime as dt
import itertools
import json
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]
HOST, PORT = "127.0.0.1", 8077


# ---------------------------------------------------------------- data


def setup_django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jineng.settings")
    import django

    django.setup()


def prepare(rounds: int, trainees: int) -> dict:
    """A class of 睢阳区 with one session per round (all open for check-in now) and
    `trainees` enrolled workers, each with a login session; what the clients need."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session as LoginSession
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone
    from django.utils.crypto import get_random_string

    from jineng.orgs.models import Region, Role, User
    from jineng.people.models import Person
    from jineng.training.models import Enrolment, Session, TrainingClass
    from tests.training import factories

    assert connection.vendor == "postgresql", "这个基准只在 PostgreSQL 上跑（DATABASE_URL）"
    call_command("migrate", verbosity=0)
    if not Region.objects.filter(code="411403").exists():
        with open(os.devnull, "w") as quiet:
            call_command("loaddemo", stdout=quiet)
    # a fresh stretch of the factories' numbers each run (class codes, identity numbers)
    factories._sequence = itertools.count(
        6000 + User.objects.filter(username__startswith="bench_").count()
        + 20 * TrainingClass.objects.count())
    klass = factories.training_class(start=timezone.localdate(), sessions=0)
    teacher = klass.teachers.get().teacher
    begins = timezone.now().replace(microsecond=0) + dt.timedelta(minutes=10)
    sessions = [Session.objects.create(training_class=klass, starts_at=begins,
                                       ends_at=begins + dt.timedelta(hours=3), hours=4,
                                       teacher=teacher) for _ in range(rounds)]
    region = Region.objects.get(code="411403")
    tag = get_random_string(6).lower()
    users = User.objects.bulk_create([
        User(username=f"bench_{tag}_{i}", full_name=f"基准学员{i}", region=region,
             must_change_password=False, password="!") for i in range(trainees)])
    worker = Role.objects.get(code="worker")
    User.roles.through.objects.bulk_create([
        User.roles.through(user_id=u.pk, role_id=worker.pk) for u in users])
    people = []
    for u in users:
        made = factories.person("411403", u.full_name)  # one insert each: identity columns
        people.append(made)
    Person.objects.bulk_update([_linked(p, u) for p, u in zip(people, users, strict=True)],
                               ["user"])
    Enrolment.objects.bulk_create([Enrolment(training_class=klass, person=p) for p in people])
    cookies = []
    store = SessionStore()
    expire = timezone.now() + dt.timedelta(hours=2)
    rows = []
    for u in users:
        key = get_random_string(32)
        data = {SESSION_KEY: str(u.pk), BACKEND_SESSION_KEY: settings.AUTHENTICATION_BACKENDS[0],
                HASH_SESSION_KEY: u.get_session_auth_hash()}
        rows.append(LoginSession(session_key=key, session_data=store.encode(data),
                                 expire_date=expire))
        cookies.append((key, get_random_string(32)))
    LoginSession.objects.bulk_create(rows)
    with connection.cursor() as cursor:  # the statistics a live database has
        cursor.execute("ANALYZE")
    return {"class": klass, "sessions": sessions, "cookies": cookies,
            "venue": (float(klass.venue_lat), float(klass.venue_lng))}


def _linked(person, user):
    person.user = user
    return person


# ---------------------------------------------------------------- the server


def start_server(workers: int, threads: int) -> subprocess.Popen:
    env = {**os.environ, "JINENG_BENCH_VIEWS": "1", "JINENG_DEBUG": "0", "JINENG_HTTPS": "0",
           "PYTHONPATH": str(ROOT / "src")}
    server = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "gunicorn"), "jineng.wsgi:application",
         "--bind", f"{HOST}:{PORT}", "--workers", str(workers), "--threads", str(threads),
         "--log-level", "warning", "--backlog", "256", "--reuse-port"], cwd=ROOT, env=env)
    probe = f"GET /training/bench/lookup/1/ HTTP/1.1\r\nHost: {HOST}\r\n\r\n".encode()
    for _ in range(100):
        try:
            asyncio.run(_one(probe))
            return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("gunicorn 没有启动")


async def _one(request: bytes) -> int:
    reader, writer = await asyncio.open_connection(HOST, PORT)
    writer.write(request)
    await writer.drain()
    status, _ = await _response(reader)
    writer.close()
    return status


async def _response(reader) -> tuple[int, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    length = 0
    for line in lines[1:]:
        if line.lower().startswith("content-length:"):
            length = int(line.split(":", 1)[1])
    body = await reader.readexactly(length) if length else b""
    return status, body


# ---------------------------------------------------------------- the clients


async def run_load(make_request, n: int, concurrency: int) -> dict:
    """`n` requests from `concurrency` keep-alive connections; latencies in ms."""
    queue = list(range(n))
    latencies, statuses, bodies = [], {}, []

    async def client():
        reader, writer = await asyncio.open_connection(HOST, PORT)
        while queue:
            i = queue.pop()
            request = make_request(i)
            began = time.perf_counter()
            writer.write(request)
            await writer.drain()
            try:
                status, body = await _response(reader)
            except (asyncio.IncompleteReadError, ConnectionError):
                writer.close()
                reader, writer = await asyncio.open_connection(HOST, PORT)
                writer.write(request)
                await writer.drain()
                status, body = await _response(reader)
            latencies.append((time.perf_counter() - began) * 1000)
            statuses[status] = statuses.get(status, 0) + 1
            if len(bodies) < 3 and status != 200:
                bodies.append(body[:300].decode("utf-8", "replace"))
        writer.close()

    began = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(concurrency)))
    seconds = time.perf_counter() - began
    latencies.sort()
    return {"requests": n, "seconds": round(seconds, 3), "rps": round(n / seconds, 1),
            "p50_ms": round(latencies[len(latencies) // 2], 2),
            "p99_ms": round(latencies[int(len(latencies) * 0.99) - 1], 2),
            "statuses": statuses, "errors": bodies}


def lookup_requests(session_ids, cookies=None):
    """The bare view; with `cookies`, sent as the check-in is: each request a signed-in
    trainee's session cookie, CSRF cookie and header (so it pays the session read and
    write, the user, the security policy: what every real request of the system pays)."""
    def make(i):
        pk = random.choice(session_ids)
        signed = ""
        if cookies is not None:
            key, csrf = cookies[i % len(cookies)]
            signed = f"Cookie: sessionid={key}; csrftoken={csrf}\r\nX-CSRFToken: {csrf}\r\n"
        return (f"GET /training/bench/lookup/{pk}/ HTTP/1.1\r\nHost: {HOST}\r\n{signed}"
                "Connection: keep-alive\r\n\r\n").encode()
    return make


def checkin_requests(session, cookies, offset: int, venue):
    from jineng.training import attendance

    tokens = {}

    def token():
        slot = attendance.slot_of(dt.datetime.now(dt.UTC))
        if slot not in tokens:
            tokens[slot] = attendance.qr_token(session)
        return tokens[slot]

    def make(i):
        key, csrf = cookies[offset + i]
        body = json.dumps({"token": token(), "lat": venue[0] + random.uniform(-5e-4, 5e-4),
                           "lng": venue[1], "device_id": f"bench-{offset + i}"}).encode()
        return (f"POST /api/v1/attendance/check-in HTTP/1.1\r\nHost: {HOST}\r\n"
                f"Cookie: sessionid={key}; csrftoken={csrf}\r\nX-CSRFToken: {csrf}\r\n"
                f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
                "Connection: keep-alive\r\n\r\n").encode() + body
    return make


# ---------------------------------------------------------------- rounds


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--requests", type=int, default=4000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--warmup", type=int, default=300)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    setup_django()
    from django.db import connections

    from jineng.training.models import Attendance

    per_round = args.requests
    data = prepare(args.rounds, per_round + args.warmup)
    connections.close_all()
    server = start_server(args.workers, args.threads)
    results = []
    try:
        ids = [s.pk for s in data["sessions"]]
        # warm-up: both views, a few hundred requests, not counted
        asyncio.run(run_load(lookup_requests(ids), args.warmup, args.concurrency))
        asyncio.run(run_load(lookup_requests(ids, data["cookies"][per_round:]), args.warmup,
                             args.concurrency))
        warm = checkin_requests(data["sessions"][0], data["cookies"][per_round:], 0,
                                data["venue"])
        asyncio.run(run_load(warm, args.warmup, args.concurrency))
        for r in range(args.rounds):
            bare = asyncio.run(run_load(lookup_requests(ids), per_round, args.concurrency))
            signed = asyncio.run(run_load(lookup_requests(ids, data["cookies"][:per_round]),
                                          per_round, args.concurrency))
            session = data["sessions"][r]
            made = asyncio.run(run_load(
                checkin_requests(session, data["cookies"], 0, data["venue"]),
                per_round, args.concurrency))
            rows = Attendance.objects.filter(session=session).count()
            connections.close_all()
            row = {"round": r + 1, "bare": bare, "signed": signed, "checkin": made, "rows": rows,
                   "ratio": round(made["rps"] / bare["rps"], 3),
                   "ratio_signed": round(made["rps"] / signed["rps"], 3)}
            results.append(row)
            print(f"round {r + 1}: bare {bare['rps']} req/s p99 {bare['p99_ms']} ms | "
                  f"signed-in bare {signed['rps']} req/s p99 {signed['p99_ms']} ms "
                  f"{signed['statuses']} | "
                  f"check-in {made['rps']} req/s p50 {made['p50_ms']} ms p99 {made['p99_ms']} ms "
                  f"| ratio {row['ratio']} signed-in {row['ratio_signed']} "
                  f"| rows {rows} {made['statuses']} {made['errors']}",
                  flush=True)
    finally:
        server.terminate()
        server.wait(timeout=20)
    summary = {
        "bench": "checkin", "at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "workers": args.workers, "threads": args.threads, "concurrency": args.concurrency,
        "requests_per_round": per_round,
        "median_bare_rps": statistics.median(r["bare"]["rps"] for r in results),
        "median_checkin_rps": statistics.median(r["checkin"]["rps"] for r in results),
        "median_signed_rps": statistics.median(r["signed"]["rps"] for r in results),
        "median_ratio": statistics.median(r["ratio"] for r in results),
        "median_ratio_signed": statistics.median(r["ratio_signed"] for r in results),
        "median_checkin_p99_ms": statistics.median(r["checkin"]["p99_ms"] for r in results),
        "load_average": os.getloadavg(), "rounds": results,
    }
    print(json.dumps({k: v for k, v in summary.items() if k != "rounds"}, ensure_ascii=False))
    if args.json:
        with args.json.open("a") as out:
            out.write(json.dumps(summary, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
