from django.db import models

from jineng.core.scope import ScopeSpec


class AppendOnlyError(Exception):
    pass


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("审计事件只能追加，不能修改")

    def bulk_update(self, objs, fields, batch_size=None):
        raise AppendOnlyError("审计事件只能追加，不能修改")

    def update_or_create(self, *args, **kwargs):
        raise AppendOnlyError("审计事件只能追加，不能修改")

    def delete(self):
        raise AppendOnlyError("审计事件只能追加，不能删除")

    def restrict(self, user, action="view"):
        from jineng.core.scope import ScopedQuerySet

        return ScopedQuerySet.restrict(self, user, action)


class AuditEvent(models.Model):
    """One append-only event of the audit trail, chained by an HMAC under the key `key_id`."""

    seq = models.BigIntegerField("序号", unique=True)
    at = models.DateTimeField("时间", db_index=True)
    actor_id = models.BigIntegerField("操作人ID", null=True, blank=True, db_index=True)
    actor_name = models.CharField("操作人", max_length=150, blank=True)
    action = models.CharField("操作", max_length=40, db_index=True)
    object_type = models.CharField("对象类型", max_length=60, blank=True, db_index=True)
    object_id = models.CharField("对象ID", max_length=64, blank=True)
    object_repr = models.CharField("对象", max_length=200, blank=True)
    changes = models.JSONField("变更内容", default=dict, blank=True)
    request_id = models.CharField("请求ID", max_length=64, blank=True)
    ip = models.CharField("IP地址", max_length=64, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)
    key_id = models.CharField("密钥编号", max_length=16, default="")

    objects = models.Manager.from_queryset(AuditEventQuerySet)()
    scope = ScopeSpec(is_global=True)

    class Meta:
        ordering = ["-seq"]
        verbose_name = "审计事件"
        verbose_name_plural = "审计事件"
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self):
        return f"#{self.seq} {self.actor_name} {self.action} {self.object_type}:{self.object_id}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("审计事件只能追加，不能修改")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("审计事件只能追加，不能删除")


class AuditChainHead(models.Model):
    """The last sequence number and hash; locking it serialises appends to the chain."""

    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64, default="0" * 64)

    def __str__(self):
        return f"#{self.seq} {self.hash[:12]}"
