"""Row locks, one helper per thing locked; every `select_for_update` in the project goes
through `locked`, so rows are always locked in primary-key order and two transactions that
lock the same rows cannot deadlock on the order (as Saleor's lock_objects do). Each app that
locks keeps its helpers in its own lock_objects.py."""

import random

from django.db import models, transaction

from jineng.core.models import AuditChainHead


def locked(qs: models.QuerySet, *, skip_locked: bool = False) -> models.QuerySet:
    """`qs` locked for the rest of the transaction, in primary-key order (only the rows of
    its own model, not of tables it joins); with `skip_locked`, without the rows another
    transaction holds (PostgreSQL; SQLite has one writer at a time and locks nothing)."""
    return qs.select_for_update(of=("self",), skip_locked=skip_locked).order_by("pk")


def audit_chain_head_lock() -> AuditChainHead:
    """A chain head, locked, for the transaction's audit events: the one it already holds, or
    the first that no other transaction holds, so concurrent writers append to different
    chains instead of queueing on one row. Only when every chain is busy does it wait, on one
    chosen at random; it never waits holding another head, so heads cannot deadlock. (A
    database emptied by a test's flush has no heads: chain 1 is made again.)"""
    connection = transaction.get_connection()
    this_transaction = connection.atomic_blocks[0]
    held = getattr(connection, "jineng_audit_chain", None)
    if held and held[0] is this_transaction and (
            head := locked(AuditChainHead.objects.filter(pk=held[1])).first()):
        return head
    head = locked(AuditChainHead.objects.all(), skip_locked=True).first()
    if head is None:
        chains = list(AuditChainHead.objects.values_list("pk", flat=True)) or [1]
        head, _ = locked(AuditChainHead.objects.all()).get_or_create(pk=random.choice(chains))
    # remembered by the outermost atomic block, forgotten at commit (a decorated service's
    # block is one object for every call)
    connection.jineng_audit_chain = (this_transaction, head.pk)
    transaction.on_commit(lambda: setattr(connection, "jineng_audit_chain", None))
    return head
