"""Records keyed with AUDIT_KEY and chained by a sealer (issue 14).

The chain so far (plain SHA-256, each record chained as it was written) is checked
first: a broken one stops the upgrade, because re-keying it would launder whatever broke
it. Each record is then keyed and given its chain entry, sealed when it was written, as
it was. Anyone who could rewrite the database before this upgrade could also have
recomputed a plain chain: the proof of these older records starts with the first
checkpoint (``audit_checkpoint``) written after it.
"""

import hashlib
import hmac
import json

from django.conf import settings
from django.db import migrations, models

from portal.audit import guards

# Frozen here as they were when this migration was written: later changes to
# portal.audit.chain must not change what this migration computed.
GENESIS = "0" * 64


def canonical(payload: dict) -> str:
    return json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def keyed_hash(*parts: str) -> str:
    key = settings.AUDIT_KEY.encode()
    return hmac.new(key, "\n".join(parts).encode(), hashlib.sha256).hexdigest()


def record_hash(kind, payload, created_at) -> str:
    return keyed_hash("record", kind, created_at.isoformat(), canonical(payload))


def entry_hash(previous_hash, position, record_hash, sealed_at) -> str:
    return keyed_hash("entry", previous_hash, str(position), record_hash, sealed_at.isoformat())


def _unkeyed(previous, record) -> str:
    material = "\n".join(
        [previous, record.kind, record.created_at.isoformat(), canonical(record.payload)]
    )
    return hashlib.sha256(material.encode()).hexdigest()


def key_and_seal(apps, schema_editor):
    AuditRecord = apps.get_model("audit", "AuditRecord")
    ChainEntry = apps.get_model("audit", "ChainEntry")
    connection = schema_editor.connection
    guards.remove(connection, "audit_auditrecord")
    previous = chained_to = GENESIS
    position = 0
    for record in AuditRecord.objects.order_by("pk").iterator(chunk_size=2000):
        # Loaded as stored: the hash covers the JSON the database gives back.
        record.payload = json.loads(canonical(record.payload))
        if record.previous_hash != previous or record.record_hash != _unkeyed(previous, record):
            raise RuntimeError(
                f"audit record {record.pk} does not match its hash: the audit trail was "
                "changed before this upgrade. Run verify_audit on the previous release "
                "and investigate before upgrading."
            )
        previous = record.record_hash
        position += 1
        keyed = record_hash(record.kind, record.payload, record.created_at)
        AuditRecord.objects.filter(pk=record.pk).update(record_hash=keyed)
        entry = ChainEntry.objects.create(
            position=position,
            record_id=record.pk,
            previous_hash=chained_to,
            entry_hash=entry_hash(chained_to, position, keyed, record.created_at),
            sealed_at=record.created_at,
        )
        chained_to = entry.entry_hash


def guard(apps, schema_editor):
    # Again for audit_auditrecord: SQLite rebuilds a table to drop a column, triggers lost.
    for table in ("audit_auditrecord", "audit_chainentry"):
        guards.install(schema_editor.connection, table)


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_no_truncate")]

    operations = [
        migrations.CreateModel(
            name="ChainEntry",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("position", models.PositiveBigIntegerField(unique=True, verbose_name="position")),
                ("previous_hash", models.CharField(max_length=64, unique=True)),
                ("entry_hash", models.CharField(max_length=64, unique=True)),
                ("sealed_at", models.DateTimeField(verbose_name="sealed at (UTC)")),
                ("record", models.OneToOneField(on_delete=models.deletion.PROTECT, related_name="chain_entry", to="audit.auditrecord")),
            ],
            options={
                "verbose_name": "chain entry",
                "verbose_name_plural": "chain entries",
                "ordering": ["position"],
            },
        ),
        # Irreversible: the plain chain it replaces cannot be recomputed from keyed hashes.
        migrations.RunPython(key_and_seal),
        migrations.RemoveField(model_name="auditrecord", name="previous_hash"),
        migrations.AlterField(
            model_name="auditrecord",
            name="record_hash",
            field=models.CharField(max_length=64),
        ),
        migrations.AlterField(
            model_name="auditrecord",
            name="created_at",
            field=models.DateTimeField(db_index=True, verbose_name="recorded at (UTC)"),
        ),
        migrations.RunPython(guard, migrations.RunPython.noop),
    ]  # fmt: skip
