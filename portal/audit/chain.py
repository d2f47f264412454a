"""Writing to and verifying the attestation ledger.

A record is written, keyed, in the transaction of what it attests (``attest``); nothing
on that path locks more than the one statement it records, so acknowledgements run side
by side. ``seal`` gives pending records their places in the chain, in batches, one
sealer at a time (an advisory lock on PostgreSQL; SQLite has one writer anyway), from
whatever has committed when it looks: a record whose transaction commits later is simply
sealed by the next batch, never skipped. ``verify_chain`` walks it all back.

Every hash is an HMAC under ``AUDIT_KEY``, which the database never holds: someone who
can rewrite tables can still not write a record, or a chain, that verifies.

A record states no personal detail of the person it is about (employee number, IP
address, browser): it holds a keyed commitment to them (``commitment``), and the details
live beside it in ``PersonalDetail``, with the random nonce that commitment was made
with. Erasing them (``forget``, once a vendor's retention has run out) deletes those rows
and appends a chained record saying whose details were erased and why: every record
still verifies, and what they committed to can no longer be recovered, not even by
whoever holds the key (the nonce is gone with the details).
"""

import hashlib
import hmac
import json
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, timedelta

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from .guards import register_guarded_table
from .models import AuditRecord, ChainEntry, PersonalDetail

GENESIS = "0" * 64
#: An arbitrary, fixed key for the sealers' pg_advisory_xact_lock: "seal" in ASCII.
_SEALER_LOCK = 0x7365616C
#: Records sealed per transaction: a killed sealer loses at most one batch of work.
SEAL_BATCH = 1000
#: No transaction stays open this long: older records are all sealed, or reported late.
SEAL_LOOKBACK = timedelta(hours=1)
#: The kind of the record ``forget`` appends.
ERASED = "audit.personal_details_erased"


def canonical(payload: dict) -> str:
    return json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def keyed_hash(*parts: str) -> str:
    key = settings.AUDIT_KEY.encode()
    return hmac.new(key, "\n".join(parts).encode(), hashlib.sha256).hexdigest()


def record_hash(kind: str, payload: dict, created_at) -> str:
    return keyed_hash("record", kind, _utc(created_at), canonical(payload))


def entry_hash(previous_hash: str, position: int, record_hash: str, sealed_at) -> str:
    return keyed_hash("entry", previous_hash, str(position), record_hash, _utc(sealed_at))


def commitment(nonce: str, details: dict) -> str:
    """What a record says of the personal details kept beside it: a keyed hash of them
    with a random nonce, which proves them while they are kept and reveals nothing once
    they are erased."""
    return keyed_hash("personal", nonce, canonical(details))


def _utc(moment) -> str:
    # The database gives moments back in UTC: a moment written in another zone (a clock
    # set for the demo) must hash as it will be read.
    return moment.astimezone(UTC).isoformat()


def append(kind: str, payload: dict) -> AuditRecord:
    """Write a record, pending its seal; call inside the transaction it attests."""
    if not connection.in_atomic_block:
        raise RuntimeError("audit records are written inside the transaction they attest")
    created_at = timezone.now()
    # JSON round-trip so the hash covers exactly what the database will give back.
    payload = json.loads(canonical(payload))
    return AuditRecord.objects.create(
        kind=kind,
        payload=payload,
        created_at=created_at,
        record_hash=record_hash(kind, payload, created_at),
    )


def seal(batch: int = SEAL_BATCH, *, everything: bool = False) -> int:
    """Chain every record pending now; returns how many were sealed.

    One batch per transaction: a sealer killed mid-batch leaves its batch pending (the
    transaction rolls back), and the unique position, record and previous hash of each
    entry refuse a second sealer that would fork or repeat the chain. Beat's frequent
    seal looks back ``SEAL_LOOKBACK`` only, so its cost follows the traffic, not the
    ledger's size; ``everything`` (the hourly checkpoint, the demo) looks at all.
    """
    sealed = 0
    records = AuditRecord.objects.filter(chain_entry__isnull=True)
    if not everything:
        records = records.filter(created_at__gte=timezone.now() - SEAL_LOOKBACK)
    while True:
        with transaction.atomic():
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_SEALER_LOCK])
            head = ChainEntry.objects.order_by("-position").values_list(
                "position", "entry_hash"
            ).first() or (0, GENESIS)
            pending = list(
                records.order_by("created_at", "pk").values_list("pk", "record_hash")[:batch]
            )
            if not pending:
                return sealed
            position, previous = head
            now = timezone.now()
            entries = []
            for record_id, hashed in pending:
                position += 1
                current = entry_hash(previous, position, hashed, now)
                entries.append(
                    ChainEntry(
                        position=position,
                        record_id=record_id,
                        previous_hash=previous,
                        entry_hash=current,
                        sealed_at=now,
                    )
                )
                previous = current
            ChainEntry.objects.bulk_create(entries)
        sealed += len(pending)
        if len(pending) < batch:
            return sealed


def attest(
    model, *, agent, statement, facts, fields, once=None, ip_address=None, user_agent="",
    before=None,
):  # fmt: skip
    """Record a statement about ``agent`` once (an acknowledgement, a sign-off): its
    audit record (of ``model.attested_kind``), the personal details beside it and
    ``model``'s row pointing at it, in one transaction; of two repeats the first wins and
    the second gets its row.

    The record names the agent by id and commits to their employee number, the IP address
    and the browser (``PersonalDetail``, erasable); row and record name the moment the
    same way (``model.attested_moment``, e.g. ``signed_at``).
    ``once``: what else names the statement (e.g. the version), with the agent the
    fields of ``model``'s unique constraint; ``facts(now)``: what the
    audit record says besides the agent, the statement and the moment; ``fields(now)``:
    the row's other fields; ``before``: run first in the transaction. Returns (row,
    created).
    """
    moment = model.attested_moment
    details = {
        "employee_number": agent.employee_number,
        "ip_address": ip_address,
        "user_agent": (user_agent or "")[:500],
    }
    nonce = secrets.token_hex(16)
    try:
        with transaction.atomic():
            if before is not None:
                before()
            now = timezone.now()
            said = {"agent_id": agent.pk, "statement": str(statement), moment: _utc(now)}
            personal = {"personal": commitment(nonce, details)}
            record = append(model.attested_kind, {**facts(now), **said, **personal})
            PersonalDetail.objects.create(
                record=record, agent_id=agent.pk, nonce=nonce, details=details
            )
            row = model.objects.create(
                agent=agent,
                statement=str(statement),
                **fields(now),
                **{moment: now},
                audit_record=record,
            )
            return row, True
    except IntegrityError:
        # The model's unique constraint on ``once`` is the guard: of two repeats, the
        # second waits for the first's commit, then finds its row.
        existing = model.objects.unscoped().filter(agent=agent, **(once or {})).first()
        if existing is None:
            raise
        return existing, False


def forget(agent_ids: Iterable[int], *, reason: str) -> int:
    """Erase the personal details kept beside the records of ``agent_ids`` (agent
    profiles); returns how many records' details were erased.

    Appends a record of the erasure (whose, how many, why), which ``verify_audit`` reads
    to tell details erased from details lost. Call inside the transaction that erases
    the rest of these people's data: both happen, or neither."""
    if not connection.in_atomic_block:
        raise RuntimeError("personal details are erased inside the transaction that asks")
    agent_ids = sorted({int(pk) for pk in agent_ids})
    if not agent_ids:
        return 0
    erased = 0
    # In slices: a vendor's thousands of agents never make one enormous IN list.
    for start in range(0, len(agent_ids), 1000):
        erased += PersonalDetail.objects.filter(
            agent_id__in=agent_ids[start : start + 1000]
        ).delete()[0]
    append(ERASED, {"agent_ids": agent_ids, "records": erased, "reason": str(reason)})
    return erased


def erased_agents() -> dict[int, object]:
    """The agents whose personal details were erased, as the ledger records it: for
    each, when the newest erasure was recorded. Records written before it hold no
    details; the moment is keyed with the erasure (a copy of its row under another id
    excuses nothing later)."""
    erasures = AuditRecord.objects.filter(kind=ERASED).order_by("created_at", "pk")
    return {
        int(agent): created_at
        for created_at, payload in erasures.values_list("created_at", "payload")
        for agent in payload.get("agent_ids", [])
    }


def personal_detail_problems() -> list[str]:
    """Records whose personal details are not the ones they committed to, or are gone
    without a record of their erasure."""
    problems = []
    erased = erased_agents()
    committed = (
        AuditRecord.objects.filter(payload__has_key="personal")
        .select_related("personal")
        .order_by("pk")
    )
    for record in committed.iterator(chunk_size=2000):
        try:
            detail = record.personal
        except PersonalDetail.DoesNotExist:
            erased_at = erased.get(record.payload.get("agent_id"))
            if erased_at is None or erased_at < record.created_at:
                problems.append(f"record {record.pk}: its personal details are missing")
            continue
        if detail.agent_id != record.payload.get("agent_id") or record.payload[
            "personal"
        ] != commitment(detail.nonce, detail.details):
            problems.append(f"record {record.pk}: its personal details differ from the record")
    return problems


#: Checks other apps add (``register_verifier``): each returns a list of problems found in
#: the records that point into the chain, e.g. an acknowledgement that no longer matches.
_verifiers = [personal_detail_problems]


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
    row says otherwise than its record (the agent, the statement, the moment and the
    model's own facts), a row that contradicts itself
    (``attested_inconsistencies``), a row linked to a record of another kind or to
    nothing, and a record whose row is gone.

    A fact an older record does not name is not compared: the chain proves that record
    unchanged since it was written."""
    moment = model.attested_moment
    rows = model._default_manager.unscoped()
    problems = []
    # A join drops a row whose link leads nowhere (foreign keys can be switched off by
    # whoever holds the database): such rows are named first.
    for relation in ("audit_record", *model.attested_related):
        target = model._meta.get_field(relation).related_model._base_manager.values("pk")
        broken = rows.exclude(**{f"{relation}_id__in": target}).order_by("pk")
        problems += [
            f"{label} {pk}: its {relation} is missing" for pk in broken.values_list("pk", flat=True)
        ]
    joined = rows.select_related("audit_record", *model.attested_related).order_by("pk")
    for row in joined.iterator(chunk_size=2000):
        record = row.audit_record
        if record.kind != model.attested_kind:
            problems.append(f"{label} {row.pk}: linked to a {record.kind!r} audit record")
            continue
        facts = {
            "agent_id": row.agent_id,
            "statement": row.statement,
            moment: _utc(getattr(row, moment)),
            **row.attested_facts(),
        }
        for key, value in facts.items():
            if key in record.payload and record.payload[key] != value:
                problems.append(f"{label} {row.pk}: {key} differs from audit record {record.pk}")
        inconsistent = getattr(row, "attested_inconsistencies", list)()
        problems += [f"{label} {row.pk}: {problem}" for problem in inconsistent]
    linked = rows.values("audit_record_id")
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
    pending: int
    head: tuple[int, str]
    problems: list[str]
    #: Records sealed later than the merge delay: a sealer that fell behind (a busy
    #: queue, a deploy), not a change to the trail, and never undone once sealed.
    warnings: list[str] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return not self.problems


def verify_chain(now=None) -> ChainReport:
    """Walk the chain: every entry follows the one before it, every hash is the key's
    and matches what it covers, and no record waits to be sealed longer than the merge
    delay (one sealed later than that is a warning)."""
    now = now or timezone.now()
    bound = timedelta(seconds=settings.AUDIT_MERGE_DELAY_SECONDS)
    late = f"the bound is {settings.AUDIT_MERGE_DELAY_SECONDS} s"
    problems, warnings = [], []
    position, previous = 0, GENESIS
    entries = ChainEntry.objects.select_related("record").order_by("position")
    for entry in entries.iterator(chunk_size=2000):
        record, where = entry.record, f"record {entry.record_id} (position {entry.position})"
        if entry.position != position + 1:
            problems.append(f"positions {position + 1}-{entry.position - 1}: missing")
        if entry.previous_hash != previous:
            problems.append(f"{where}: does not follow the entry before it")
        if entry.entry_hash != entry_hash(
            entry.previous_hash, entry.position, record.record_hash, entry.sealed_at
        ):
            problems.append(f"{where}: its place in the chain does not match its keyed hash")
        problems += _record_problems(record)
        waited = (entry.sealed_at - record.created_at).total_seconds()
        if waited > bound.total_seconds():
            warnings.append(f"{where}: sealed {waited:.0f} s after it was written ({late})")
        position, previous = entry.position, entry.entry_hash
    pending = 0
    for record in AuditRecord.objects.filter(chain_entry__isnull=True).order_by("pk").iterator():
        pending += 1
        problems += _record_problems(record)
        waited = (now - record.created_at).total_seconds()
        if waited > bound.total_seconds():
            problems.append(
                f"record {record.pk}: not sealed {waited:.0f} s after it was written ({late}); "
                "is beat running audit.seal?"
            )
    return ChainReport(
        records=position,
        pending=pending,
        head=(position, previous),
        problems=problems,
        warnings=warnings,
    )


def _record_problems(record) -> list[str]:
    if record.record_hash != record_hash(record.kind, record.payload, record.created_at):
        return [f"record {record.pk}: content does not match its keyed hash"]
    return []
