"""Personal details out of the records, into an erasable table beside them (issue 16).

A record said who it was about (employee number), from where (IP address) and with what
browser; the chain covers every byte of it, so none of that could ever be erased. Each
record now holds a keyed commitment to those details instead, with a random nonce, and
the details and the nonce move to ``PersonalDetail`` (``chain.forget`` erases them).

The chain is checked first, with the key and against every checkpoint in
``AUDIT_CHECKPOINT_DIR``: a broken or shortened one stops the upgrade, because re-keying
it would launder whatever broke it. On PostgreSQL the ledger's tables are locked and the
sealers held off meanwhile (stop web, worker and beat first all the same). Then each
record with details is rewritten, and the chain re-keyed in its order with its seal
times. Checkpoints written before no longer match the re-keyed chain: once the upgrade
has committed they move to ``superseded-by-audit-0005/`` (keep them with the upgrade's
log); ``audit_checkpoint`` then writes and sends one of the re-keyed chain.
"""

import hashlib
import hmac
import json
import os
import secrets
from datetime import UTC
from pathlib import Path

from django.conf import settings
from django.db import migrations, models, transaction

from portal.audit import guards

# Frozen here as they were when this migration was written: later changes to
# portal.audit.chain must not change what this migration computed.
GENESIS = "0" * 64
PERSONAL = ("employee_number", "ip_address", "user_agent")
SUPERSEDED = "superseded-by-audit-0005"
#: The sealers' advisory lock (``chain._SEALER_LOCK``): "seal" in ASCII.
SEALER_LOCK = 0x7365616C


def canonical(payload: dict) -> str:
    return json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def keyed_hash(*parts: str) -> str:
    key = settings.AUDIT_KEY.encode()
    return hmac.new(key, "\n".join(parts).encode(), hashlib.sha256).hexdigest()


def _utc(moment) -> str:
    return moment.astimezone(UTC).isoformat()


def record_hash(kind, payload, created_at) -> str:
    return keyed_hash("record", kind, _utc(created_at), canonical(payload))


def entry_hash(previous_hash, position, record_hash, sealed_at) -> str:
    return keyed_hash("entry", previous_hash, str(position), record_hash, _utc(sealed_at))


REFUSED = (
    "the audit trail does not verify before this upgrade ({}). Run verify_audit on the "
    "previous release and investigate before upgrading."
)


def _checkpoints() -> list[Path]:
    directory = Path(settings.AUDIT_CHECKPOINT_DIR)
    return sorted(directory.glob("checkpoint-*.json")) if directory.is_dir() else []


def _check_checkpoints(ChainEntry) -> None:
    """The chain still reaches every checkpoint, with the entry each one names."""
    for path in _checkpoints():
        try:
            body = json.loads(path.read_text())
            records, head, mac = int(body["records"]), str(body["head"]), str(body["mac"])
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise RuntimeError(REFUSED.format(f"checkpoint {path.name} unreadable")) from error
        if mac != keyed_hash("checkpoint", canonical({k: v for k, v in body.items() if k != "mac"})):
            raise RuntimeError(REFUSED.format(f"checkpoint {path.name} not genuine"))
        entry = ChainEntry.objects.filter(position=records).values_list("entry_hash", flat=True)
        if list(entry) != [head]:
            raise RuntimeError(REFUSED.format(f"checkpoint {path.name} no longer matches"))


def _check_chain(AuditRecord, ChainEntry) -> None:
    refused = REFUSED
    for record in AuditRecord.objects.order_by("pk").iterator(chunk_size=2000):
        if record.record_hash != record_hash(record.kind, record.payload, record.created_at):
            raise RuntimeError(refused.format(f"record {record.pk}"))
    previous = GENESIS
    entries = ChainEntry.objects.order_by("position").values_list(
        "position", "previous_hash", "entry_hash", "sealed_at", "record__record_hash"
    )
    for position, before, current, sealed_at, hashed in entries.iterator(chunk_size=2000):
        if before != previous or current != entry_hash(previous, position, hashed, sealed_at):
            raise RuntimeError(refused.format(f"chain position {position}"))
        previous = current


def move_personal_details(apps, schema_editor):
    AuditRecord = apps.get_model("audit", "AuditRecord")
    ChainEntry = apps.get_model("audit", "ChainEntry")
    PersonalDetail = apps.get_model("audit", "PersonalDetail")
    with_details = AuditRecord.objects.filter(payload__has_key="agent_id")
    connection = schema_editor.connection
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # Nothing is written or sealed into the ledger while it is re-keyed.
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [SEALER_LOCK])
            cursor.execute("LOCK TABLE audit_auditrecord, audit_chainentry IN EXCLUSIVE MODE")
    if not with_details.exists():
        return
    _check_chain(AuditRecord, ChainEntry)
    _check_checkpoints(ChainEntry)
    guards.remove(connection, "audit_auditrecord")
    guards.remove(connection, "audit_chainentry")
    moved = []
    for record in with_details.order_by("pk").iterator(chunk_size=2000):
        details = {key: record.payload[key] for key in PERSONAL if key in record.payload}
        if not details:
            continue
        nonce = secrets.token_hex(16)
        payload = {key: value for key, value in record.payload.items() if key not in PERSONAL}
        payload["personal"] = keyed_hash("personal", nonce, canonical(details))
        AuditRecord.objects.filter(pk=record.pk).update(
            payload=payload, record_hash=record_hash(record.kind, payload, record.created_at)
        )
        moved.append(
            PersonalDetail(
                record_id=record.pk, agent_id=payload["agent_id"], nonce=nonce, details=details
            )
        )
        if len(moved) == 1000:
            PersonalDetail.objects.bulk_create(moved)
            moved = []
    PersonalDetail.objects.bulk_create(moved)
    previous = GENESIS
    entries = ChainEntry.objects.order_by("position").values_list(
        "pk", "position", "sealed_at", "record__record_hash"
    )
    for pk, position, sealed_at, hashed in entries.iterator(chunk_size=2000):
        current = entry_hash(previous, position, hashed, sealed_at)
        ChainEntry.objects.filter(pk=pk).update(previous_hash=previous, entry_hash=current)
        previous = current
    for table in ("audit_auditrecord", "audit_chainentry"):
        guards.install(connection, table)
    # Only once the re-keyed chain is committed: a failed upgrade keeps its checkpoints.
    transaction.on_commit(_supersede_checkpoints, using=connection.alias)


def _supersede_checkpoints() -> None:
    older = _checkpoints()
    if not older:
        return
    aside = Path(settings.AUDIT_CHECKPOINT_DIR) / SUPERSEDED
    aside.mkdir(exist_ok=True)
    for path in older:
        os.replace(path, aside / path.name)


class Migration(migrations.Migration):
    dependencies = [("audit", "0004_keyed_sealed_chain")]

    operations = [
        migrations.CreateModel(
            name="PersonalDetail",
            fields=[
                ("record", models.OneToOneField(on_delete=models.deletion.PROTECT, primary_key=True, related_name="personal", serialize=False, to="audit.auditrecord")),
                ("agent_id", models.PositiveBigIntegerField(db_index=True)),
                ("nonce", models.CharField(max_length=32)),
                ("details", models.JSONField()),
            ],
            options={
                "verbose_name": "personal details of an audit record",
                "verbose_name_plural": "personal details of audit records",
            },
        ),
        # Irreversible: the records' former hashes are not kept.
        migrations.RunPython(move_personal_details),
    ]  # fmt: skip
