"""Row locks, one helper per thing locked; every `select_for_update` in the project goes
through `locked`, so rows are always locked in primary-key order and two transactions that
lock the same rows cannot deadlock on the order (as Saleor's lock_objects do). Each app that
locks keeps its helpers in its own lock_objects.py."""

from django.db import models

from jineng.core.models import AuditChainHead


def locked(qs: models.QuerySet) -> models.QuerySet:
    """`qs` locked for the rest of the transaction, in primary-key order (only the rows of
    its own model, not of tables it joins)."""
    return qs.select_for_update(of=("self",)).order_by("pk")


def audit_chain_head_lock() -> AuditChainHead:
    """The chain head, locked: appends to the audit chain take turns."""
    head, _ = locked(AuditChainHead.objects.all()).get_or_create(pk=1)
    return head
