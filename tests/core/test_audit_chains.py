"""The trail is several chains so that concurrent writers do not queue on one head: each
chain is checked on its own, a cut, a removal or a move in any chain is named with its
chain, a checkpoint holds every chain's head, and on PostgreSQL a writer whose usual chain
is held by an open transaction appends to another instead of waiting."""

import threading
from contextlib import contextmanager

import pytest
from django.db import connection, connections, transaction

from jineng.core.actors import system_actor
from jineng.core.audit import audit_checkpoint_create, verify_chain
from jineng.core.models import AuditChainHead, AuditEvent
from jineng.core.selectors import audit_chain_tail
from jineng.orgs import services
from tests.orgs.test_browser import database_snapshot  # noqa: F401  (fixture)

EVENTS = AuditEvent._meta.db_table
HEAD = AuditChainHead._meta.db_table


def raw_sql(sql: str, params=()) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


@contextmanager
def appending_to(chain: int):
    """The audit events written inside go to `chain`, as if the transaction had taken that
    head first (what a busy chain 1 makes a second writer do)."""
    AuditChainHead.objects.get_or_create(pk=chain)
    with transaction.atomic():
        db = transaction.get_connection()
        db.jineng_audit_chain = (db.atomic_blocks[0], chain)
        try:
            yield
        finally:
            db.jineng_audit_chain = None


def write_events(user, count: int) -> None:
    for n in range(count):
        services.user_set_language(user=user, language="en" if n % 2 == 0 else "zh-hans")


@pytest.fixture
def two_chains(db, user_named):
    admin = user_named("sysadmin")
    write_events(admin, 2)
    with appending_to(2):
        write_events(admin, 4)
    write_events(admin, 2)
    return admin


def test_events_of_two_chains_each_link_to_their_own_and_verify(two_chains, user_named):
    second = list(AuditEvent.objects.filter(chain=2).order_by("seq"))
    assert [e.seq for e in second] == [1, 2, 3, 4]
    assert second[0].prev_hash == "0" * 64
    assert all(b.prev_hash == a.hash for a, b in zip(second, second[1:], strict=False))
    assert AuditChainHead.objects.get(pk=2).seq == 4
    assert verify_chain() is None
    assert audit_chain_tail(user=user_named("auditadmin"), size=6)["problem"] == ""


def test_an_event_removed_from_the_second_chain_is_named_with_its_chain(two_chains):
    raw_sql(f"DELETE FROM {EVENTS} WHERE chain = 2 AND seq = 3")
    problem = verify_chain()
    assert (problem.chain, problem.seq) == (2, 3)
    assert problem.message == "第 2 链第 3 号审计事件缺失（已被删除）"


def test_an_event_moved_to_another_chain_breaks_both(two_chains):
    last = AuditEvent.objects.filter(chain=1).order_by("-seq").first()
    raw_sql(f"UPDATE {EVENTS} SET chain = 1, seq = %s WHERE chain = 2 AND seq = 4",
            [last.seq + 1])
    raw_sql(f"UPDATE {HEAD} SET seq = %s WHERE id = 1", [last.seq + 1])
    problem = verify_chain()
    assert problem.message.startswith(f"第 1 链第 {last.seq + 1} 号审计事件的前序哈希不符")
    raw_sql(f"DELETE FROM {EVENTS} WHERE chain = 1 AND seq = %s", [last.seq + 1])
    raw_sql(f"UPDATE {HEAD} SET seq = %s WHERE id = 1", [last.seq])
    assert verify_chain().message == "第 2 链第 4 号及之后的审计事件缺失（已被删除）"


def test_a_second_chain_removed_whole_is_caught_by_its_head(two_chains):
    raw_sql(f"DELETE FROM {EVENTS} WHERE chain = 2")
    problem = verify_chain()
    assert problem.message == "第 2 链的全部 4 个审计事件缺失（已被删除）"


def test_the_home_status_names_a_cut_in_the_second_chain(two_chains, user_named):
    raw_sql(f"DELETE FROM {EVENTS} WHERE chain = 2 AND seq = 4")
    status = audit_chain_tail(user=user_named("auditadmin"), size=100)
    assert status["problem"] == "第 2 链第 4 号及之后的审计事件缺失（已被删除）"


def test_a_checkpoint_holds_every_chain_and_catches_a_cut_back_second_chain(two_chains):
    checkpoint = audit_checkpoint_create(actor=system_actor("audit_checkpoint"))
    chains = {chain: seq for chain, seq, _ in checkpoint["heads"]}
    assert chains[2] == 4 and chains[1] == AuditChainHead.objects.get(pk=1).seq - 1
    kept = AuditEvent.objects.get(chain=2, seq=2)
    raw_sql(f"DELETE FROM {EVENTS} WHERE chain = 2 AND seq > 2")
    raw_sql(f"UPDATE {HEAD} SET seq = 2, hash = %s WHERE id = 2", [kept.hash])
    assert verify_chain() is None  # consistent again: only the checkpoint knows better
    problem = verify_chain(checkpoints=[checkpoint])
    assert (problem.chain, problem.seq) == (2, 4) and "截断" in problem.message


@pytest.fixture
def committed(database_snapshot, transactional_db):  # noqa: F811
    if connection.vendor != "postgresql":
        pytest.skip("并发写入审计链只在 PostgreSQL 上测试（SQLite 的写入本就串行）")
    database_snapshot.restore_if_flushed()


def test_a_writer_does_not_wait_for_another_transactions_chain(committed, user_named):
    first, second = user_named("sysadmin"), user_named("county_411402")
    holding, release = threading.Event(), threading.Event()
    chains: dict[str, int] = {}

    def hold_chain():
        try:
            with transaction.atomic():
                services.user_set_language(user=first, language="en")
                chains["held"] = AuditEvent.objects.filter(actor_name="sysadmin").latest("id").chain
                holding.set()
                release.wait(10)
        finally:
            connections.close_all()

    holder = threading.Thread(target=hold_chain)
    holder.start()
    assert holding.wait(10)
    done = threading.Event()

    def write():
        try:
            services.user_set_language(user=second, language="en")
            done.set()
        finally:
            connections.close_all()

    writer = threading.Thread(target=write)
    writer.start()
    # the write commits while the other transaction still holds its chain
    assert done.wait(5), "第二个写入在等待第一个事务的审计链"
    release.set()
    holder.join()
    writer.join()
    written = AuditEvent.objects.filter(actor_name="county_411402").latest("id")
    assert written.chain != chains["held"]
    assert verify_chain() is None


def test_fifty_writers_at_once_leave_every_chain_whole(committed, user_named):
    users = [user_named(name) for name in ("sysadmin", "county_411402", "city_411400")]
    start = threading.Barrier(50)
    before = AuditEvent.objects.count()

    def write(n):
        try:
            start.wait()
            services.user_set_language(user=users[n % 3], language="en" if n % 2 else "zh-hans")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(50)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert verify_chain() is None
    heads = sum(AuditChainHead.objects.values_list("seq", flat=True))
    assert heads == AuditEvent.objects.count() >= before
