"""Appending to and verifying the audit chain.

Appends are serialised (a transaction-scoped advisory lock on PostgreSQL; SQLite allows
one writer anyway), so two concurrent appends can never both chain to the same parent.
"""

import hashlib
import json
from dataclasses import dataclass

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from .guards import register_guarded_table
from .models import AuditRecord

GENESIS = "0" * 64
#: An arbitrary, fixed key for pg_advisory_xact_lock: "audit" in ASCII.
_LOCK_KEY = 0x6175646974


def canonical(payload: dict) -> str:
    return json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def compute_hash(previous_hash: str, kind: str, payload: dict, created_at) -> str:
    material = "\n".join([previous_hash, kind, created_at.isoformat(), canonical(payload)])
    return hashlib.sha256(material.encode()).hexdigest()


def lock_chain() -> None:
    """Hold the chain for the rest of the current transaction."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])


def append(kind: str, payload: dict) -> AuditRecord:
    """Add a record at the end of the chain; call inside ``transaction.atomic``."""
    if not connection.in_atomic_block:
        raise RuntimeError("audit records are appended inside the transaction they attest")
    lock_chain()
    last = AuditRecord.objects.order_by("-pk").values_list("record_hash", flat=True).first()
    previous = last or GENESIS
    created_at = timezone.now()
    # JSON round-trip so the hash covers exactly what the database will give back.
    payload = json.loads(canonical(payload))
    return AuditRecord.objects.create(
        kind=kind,
        payload=payload,
        created_at=created_at,
        previous_hash=previous,
        record_hash=compute_hash(previous, kind, payload, created_at),
    )


def attest(
    model, *, agent, statement, facts, fields, once=None, ip_address=None, user_agent="",
    before=None,
):  # fmt: skip
    """Record a statement about ``agent`` once (an acknowledgement, a sign-off): its
    audit record (of ``model.attested_kind``) and ``model``'s row pointing at it, in one
    transaction, the chain locked first so that of two repeats the first wins and the
    second gets its row.

    The record names the agent (id and employee number) and the row links them; both
    name the moment the same way (``model.attested_moment``, e.g. ``signed_at``).
    ``once``: what else names the statement (e.g. the version); ``facts(now)``: what the
    audit record says besides the agent, the statement, the moment, the IP address and
    the browser; ``fields(now)``: the row's other fields; ``before``: run first in the
    transaction. Returns (row, created).
    """
    moment = model.attested_moment
    user_agent = (user_agent or "")[:500]
    stated = {"statement": str(statement), "ip_address": ip_address, "user_agent": user_agent}
    once = {"agent": agent, **(once or {})}
    named = {"agent_id": agent.pk, "employee_number": agent.employee_number}
    try:
        with transaction.atomic():
            if before is not None:
                before()
            lock_chain()
            existing = model.objects.unscoped().filter(**once).first()
            if existing is not None:
                return existing, False
            now = timezone.now()
            record = append(
                model.attested_kind, {**named, **facts(now), **stated, moment: now.isoformat()}
            )
            row = model.objects.create(
                agent=agent, **fields(now), **stated, **{moment: now}, audit_record=record
            )
            return row, True
    except IntegrityError:
        return model.objects.unscoped().get(**once), False


#: Checks other apps add (``register_verifier``): each returns a list of problems found in
#: the records that point into the chain, e.g. an acknowledgement that no longer matches.
_verifiers = []


def register_verifier(check) -> None:
    if check not in _verifiers:
        _verifiers.append(check)


_attested: dict[str, object] = {}


def register_attested(model, label: str) -> None:
    """``model``'s rows are attested records (``attest``): its table is append-only, and
    ``verify_audit`` checks them against their audit records both ways.

    The model says ``attested_kind`` (its records' kind), ``attested_moment`` (the
    name of the moment), ``attested_facts()`` (what else its record must still say) and
    ``attested_related`` (the relations those facts read)."""

    register_guarded_table(model._meta.db_table)
    if model._meta.label not in _attested:
        _attested[model._meta.label] = model
        register_verifier(lambda: differences_from_records(model, label))


def differences_from_records(model, label: str) -> list[str]:
    """What no longer agrees between ``model``'s rows and their audit records: a fact a
    row says otherwise than its record (the agent, the statement, the moment, the IP
    address, the browser and the model's own facts), a row linked to a record of another
    kind, and a record whose row is gone.

    A fact an older record does not name is not compared: the chain proves that record
    unchanged since it was written."""
    moment = model.attested_moment
    rows = (
        model._default_manager.unscoped()
        .select_related("audit_record", *model.attested_related)
        .order_by("pk")
    )
    problems = []
    for row in rows.iterator(chunk_size=2000):
        record = row.audit_record
        if record.kind != model.attested_kind:
            problems.append(f"{label} {row.pk}: linked to a {record.kind!r} audit record")
            continue
        facts = {
            "agent_id": row.agent_id,
            "statement": row.statement,
            "ip_address": row.ip_address,
            "user_agent": row.user_agent,
            moment: getattr(row, moment).isoformat(),
            **row.attested_facts(),
        }
        for key, value in facts.items():
            if key in record.payload and record.payload[key] != value:
                problems.append(f"{label} {row.pk}: {key} differs from audit record {record.pk}")
    linked = model._default_manager.unscoped().values("audit_record_id")
    missing = (
        AuditRecord.objects.filter(kind=model.attested_kind)
        .exclude(pk__in=linked)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    problems += [f"audit record {pk}: its {label} is missing" for pk in missing]
    return problems


def verify_linked_records() -> list[str]:
    return [problem for check in _verifiers for problem in check()]


@dataclass
class ChainReport:
    records: int
    problems: list[str]

    @property
    def intact(self) -> bool:
        return not self.problems


def verify_chain() -> ChainReport:
    problems = []
    previous = GENESIS
    count = 0
    with transaction.atomic():
        records = AuditRecord.objects.order_by("pk").iterator(chunk_size=2000)
        for record in records:
            count += 1
            if record.previous_hash != previous:
                problems.append(f"record {record.pk}: does not follow the record before it")
            expected = compute_hash(
                record.previous_hash, record.kind, record.payload, record.created_at
            )
            if expected != record.record_hash:
                problems.append(f"record {record.pk}: content does not match its hash")
            previous = record.record_hash
    return ChainReport(records=count, problems=problems)
