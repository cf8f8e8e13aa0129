"""Key the audit chain: each event records the id of the HMAC key its hash is made with.

The existing chain (plain SHA-256) is verified first, then every hash is recomputed as an
HMAC under the current key, in order. A chain that does not verify is left alone and the
migration stops, so a tampered trail is never re-chained into a valid one.
"""

import datetime as dt
import hashlib
import hmac
import json

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import migrations, models

GENESIS = "0" * 64
LEGACY_FIELDS = (
    "seq", "at", "actor_id", "actor_name", "action", "object_type", "object_id",
    "object_repr", "changes", "request_id", "ip", "prev_hash",
)


def _payload(event, fields) -> bytes:
    data = {f: getattr(event, f) for f in fields}
    data["at"] = event.at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"),
                      cls=DjangoJSONEncoder)


def rechain(apps, schema_editor):
    AuditEvent = apps.get_model("core", "AuditEvent")
    AuditChainHead = apps.get_model("core", "AuditChainHead")
    key_id = settings.AUDIT_KEY_ID
    key = bytes.fromhex(settings.AUDIT_KEYS[key_id])
    legacy_prev, prev, batch = GENESIS, GENESIS, []
    for event in AuditEvent.objects.order_by("seq").iterator(chunk_size=2000):
        if (event.prev_hash != legacy_prev
                or hashlib.sha256(_payload(event, LEGACY_FIELDS).encode()).hexdigest()
                != event.hash):
            raise RuntimeError(
                f"第 {event.seq} 号审计事件未通过原哈希链校验，不能改用密钥链；"
                "请先用旧版本的 jineng audit_verify 查明原因"
            )
        legacy_prev = event.hash
        event.prev_hash, event.key_id = prev, key_id
        payload = _payload(event, (*LEGACY_FIELDS, "key_id"))
        event.hash = hmac.new(key, f"event:{payload}".encode(), hashlib.sha256).hexdigest()
        prev = event.hash
        batch.append(event)
        if len(batch) >= 2000:
            AuditEvent.objects.bulk_update(batch, ["prev_hash", "hash", "key_id"])
            batch = []
    AuditEvent.objects.bulk_update(batch, ["prev_hash", "hash", "key_id"])
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is not None:
        if head.hash != legacy_prev:
            raise RuntimeError("审计链末尾的事件缺失（链头与最后一条事件不符），不能改用密钥链")
        head.hash = prev
        head.save(update_fields=["hash"])


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='auditevent',
            name='key_id',
            field=models.CharField(default='', max_length=16, verbose_name='密钥编号'),
        ),
        migrations.RunPython(rechain, migrations.RunPython.noop),
    ]
