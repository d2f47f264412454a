"""The attestation ledger: records keyed as written, sealed into one chain within the
merge delay, held to checkpoints kept outside the database; what tampering it finds."""

import json
import os
import signal
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from io import StringIO
from itertools import pairwise

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, connections, transaction
from django.test import override_settings
from django.utils import timezone

from notices.models import Acknowledgement
from portal.audit import guards
from portal.audit.chain import _SEALER_LOCK, GENESIS, entry_hash, record_hash, seal, verify_chain
from portal.audit.models import AuditRecord, ChainEntry, PersonalDetail
from portal.audit.tasks import post_audit_checkpoint, seal_records, write_audit_checkpoint
from tests.notices.builders import ack, publish_notice
from tests.smtp import free_port
from tests.worker import celery_worker, wait_for

pytestmark = pytest.mark.django_db


def pending_records(count: int, *, created_at=None) -> list[AuditRecord]:
    """Records as ``attest`` writes them, keyed and not yet sealed."""
    created_at = created_at or timezone.now()
    return AuditRecord.objects.bulk_create(
        [
            AuditRecord(
                kind="test.statement",
                payload={"n": i},
                created_at=created_at,
                record_hash=record_hash("test.statement", {"n": i}, created_at),
            )
            for i in range(count)
        ],
        batch_size=5000,
    )


def verify() -> tuple[str, list[str]]:
    """What verify_audit prints, and the problems it lists (none when it passes)."""
    out, err = StringIO(), StringIO()
    try:
        call_command("verify_audit", stdout=out, stderr=err)
    except CommandError:
        return out.getvalue(), err.getvalue().splitlines()
    assert err.getvalue() == ""
    return out.getvalue(), []


def lift_guards():
    """As someone holding the database would: the append-only triggers dropped first."""
    for table in guards.guarded_tables():
        guards.remove(connection, table)


def three_acknowledgements(world):
    notice = publish_notice(everyone=True)
    for agent in (world.agent_a1, world.agent_a2, world.agent_b1):
        ack(notice, agent)
    return notice


def test_records_are_sealed_in_batches_into_one_chain():
    records = pending_records(25)
    assert verify_chain().pending == 25
    assert seal(batch=10) == 25
    assert seal() == 0
    entries = list(ChainEntry.objects.order_by("position"))
    assert [e.position for e in entries] == list(range(1, 26))
    assert [e.record_id for e in entries] == [r.pk for r in records]
    assert entries[0].previous_hash == GENESIS
    assert all(b.previous_hash == a.entry_hash for a, b in pairwise(entries))
    report = verify_chain()
    assert report.intact and (report.records, report.pending) == (25, 0)


def test_an_acknowledgement_takes_no_lock_and_waits_for_its_seal(world):
    three_acknowledgements(world)
    out, problems = verify()
    assert problems == []
    assert "0 records sealed, 3 pending" in out
    seal()
    assert "3 records sealed, 0 pending" in verify()[0]


def test_a_chain_recomputed_without_the_key_does_not_verify(world):
    """Someone who can rewrite the tables edits an acknowledgement and its record, then
    recomputes every hash after it, as a plain SHA-256 chain allowed: without AUDIT_KEY
    the hashes are not the key's."""
    three_acknowledgements(world)
    seal()
    lift_guards()
    forged = Acknowledgement.objects.get(agent=world.agent_a2)
    Acknowledgement.objects.filter(pk=forged.pk).update(statement="I skimmed it.")
    with override_settings(AUDIT_KEY="a key the forger guessed"):
        previous = GENESIS
        for entry in ChainEntry.objects.select_related("record").order_by("position"):
            record = entry.record
            if record.pk == forged.audit_record_id:
                record.payload = {**record.payload, "statement": "I skimmed it."}
            hashed = record_hash(record.kind, record.payload, record.created_at)
            AuditRecord.objects.filter(pk=record.pk).update(
                payload=record.payload, record_hash=hashed
            )
            current = entry_hash(previous, entry.position, hashed, entry.sealed_at)
            ChainEntry.objects.filter(pk=entry.pk).update(
                previous_hash=previous, entry_hash=current
            )
            previous = current
    problems = verify()[1]
    assert len([p for p in problems if "content does not match its keyed hash" in p]) == 3
    assert len([p for p in problems if "place in the chain does not match" in p]) == 3


def test_the_newest_records_deleted_after_a_checkpoint_are_found(world, settings):
    three_acknowledgements(world)
    call_command("audit_checkpoint", stdout=StringIO())
    assert (settings.AUDIT_CHECKPOINT_DIR / "checkpoint-000000000003.json").exists()
    assert "held to 1 checkpoint(s)" in verify()[0]
    lift_guards()
    newest = ChainEntry.objects.select_related("record").order_by("-position").first()
    Acknowledgement.objects.filter(audit_record=newest.record).delete()
    PersonalDetail.objects.filter(record=newest.record).delete()
    ChainEntry.objects.filter(pk=newest.pk).delete()
    AuditRecord.objects.filter(pk=newest.record_id).delete()
    # What is left is a whole chain, and every row has its record: only the checkpoint
    # remembers that there was more.
    assert verify_chain().intact
    problems = verify()[1]
    assert len(problems) == 1
    assert problems[0].startswith("checkpoint checkpoint-000000000003.json: the chain had 3")
    assert problems[0].endswith("it now has 2")


def test_an_emptied_ledger_is_found(world):
    three_acknowledgements(world)
    call_command("audit_checkpoint", stdout=StringIO())
    lift_guards()
    Acknowledgement.objects.all().delete()
    PersonalDetail.objects.all().delete()
    ChainEntry.objects.all().delete()
    AuditRecord.objects.all().delete()
    problems = verify()[1]
    assert problems and problems[0].endswith("it now has 0")


def test_a_chain_rewritten_from_a_checkpointed_position_is_found(world):
    """Even resealed with the key (an insider running the sealer), the entry at a
    checkpointed position is not the one the checkpoint names."""
    three_acknowledgements(world)
    call_command("audit_checkpoint", stdout=StringIO())
    lift_guards()
    ChainEntry.objects.order_by("-position").first().delete()
    seal()
    problems = verify()[1]
    assert problems == [p for p in problems if "is not the one recorded" in p]
    assert len(problems) == 1


def test_a_forged_or_damaged_checkpoint_is_reported(world, settings):
    three_acknowledgements(world)
    call_command("audit_checkpoint", stdout=StringIO())
    path = settings.AUDIT_CHECKPOINT_DIR / "checkpoint-000000000003.json"
    body = json.loads(path.read_text())
    path.write_text(json.dumps({**body, "records": 2}))
    (settings.AUDIT_CHECKPOINT_DIR / "checkpoint-000000000009.json").write_text("{not json")
    assert verify()[1] == [
        "checkpoint checkpoint-000000000003.json: its keyed hash does not match (forged?)",
        "checkpoint checkpoint-000000000009.json: unreadable",
    ]


def test_a_checkpoint_is_written_once_per_chain_length_and_sent_away(world, settings):
    received = []

    class Witness(BaseHTTPRequestHandler):
        def do_POST(self):
            received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", free_port()), Witness)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings.AUDIT_CHECKPOINT_EMAILS = ["audit@nurimarket.example"]
    settings.AUDIT_CHECKPOINT_WEBHOOK = f"http://127.0.0.1:{server.server_port}/checkpoints"
    try:
        assert write_audit_checkpoint() == "unchanged"  # no chain yet
        three_acknowledgements(world)
        out = StringIO()
        call_command("audit_checkpoint", "--json", stdout=out)
        written = json.loads(out.getvalue().splitlines()[-1])
        assert written["records"] == 3
        assert write_audit_checkpoint() == "unchanged"
    finally:
        server.shutdown()
    assert [c["head"] for c in received] == [written["head"]]
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["audit@nurimarket.example"]
    assert written["head"] in mail.outbox[0].body
    assert sorted(p.name for p in settings.AUDIT_CHECKPOINT_DIR.iterdir()) == [
        "checkpoint-000000000003.json"
    ]


def test_a_webhook_that_refuses_a_checkpoint_is_not_asked_again(settings):
    class Refusing(BaseHTTPRequestHandler):
        def do_POST(self):
            self.send_response(400)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", free_port()), Refusing)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings.AUDIT_CHECKPOINT_WEBHOOK = f"http://127.0.0.1:{server.server_port}/"
    try:
        assert post_audit_checkpoint({"records": 1, "head": "0" * 64}) == "refused"
    finally:
        server.shutdown()


def test_a_checkpoint_that_cannot_be_sent_is_still_written_and_reported(world, settings):
    settings.AUDIT_CHECKPOINT_WEBHOOK = f"http://127.0.0.1:{free_port()}/nobody-listens"
    three_acknowledgements(world)
    with pytest.raises(CommandError, match=r"is written .* but could not be sent"):
        call_command("audit_checkpoint", stdout=StringIO())
    assert (settings.AUDIT_CHECKPOINT_DIR / "checkpoint-000000000003.json").exists()


def test_a_record_not_sealed_within_the_merge_delay_is_reported(settings):
    settings.AUDIT_MERGE_DELAY_SECONDS = 10
    (late,) = pending_records(1, created_at=timezone.now() - timedelta(seconds=60))
    problems = verify()[1]
    assert problems == [
        f"record {late.pk}: not sealed 60 s after it was written (the bound is 10 s); "
        "is beat running audit.seal?"
    ]
    seal()
    # Sealed at last: a sealer that fell behind is said, and is not a broken trail.
    err = StringIO()
    call_command("verify_audit", stdout=StringIO(), stderr=err)
    assert err.getvalue().splitlines() == [
        f"warning: record {late.pk} (position 1): sealed 60 s after it was written "
        "(the bound is 10 s)"
    ]


def test_records_sealed_long_ago_must_be_in_a_checkpoint(world, settings):
    """Checkpoints removed from the directory (or never written) are noticed: what was
    sealed more than two intervals ago is in no checkpoint."""
    three_acknowledgements(world)
    seal()
    settings.AUDIT_CHECKPOINT_EVERY_SECONDS = 0
    problems = verify()[1]
    assert len(problems) == 1 and problems[0].startswith("positions 1-3: sealed before")
    call_command("audit_checkpoint", stdout=StringIO())
    assert verify()[1] == []


def test_beats_seal_looks_back_an_hour_and_the_checkpoint_at_everything():
    (stranded,) = pending_records(1, created_at=timezone.now() - timedelta(hours=2))
    pending_records(1)
    assert seal() == 1
    assert write_audit_checkpoint().endswith("checkpoint-000000000002.json")
    assert ChainEntry.objects.get(position=2).record_id == stranded.pk


def test_the_seal_and_checkpoint_run_on_beat(settings):
    schedule = {entry["task"]: entry for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert schedule["audit.seal"]["schedule"] < settings.AUDIT_MERGE_DELAY_SECONDS
    assert schedule["audit.checkpoint"]["schedule"] == 3600


needs_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL (DATABASE_URL=postgres://…) for concurrent transactions",
)


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_a_record_committed_late_is_sealed_by_the_next_batch():
    """Commit-safe order: the sealer seals what has committed when it looks; a record
    written earlier (a lower id) whose transaction commits later is never skipped."""
    written, commit = threading.Event(), threading.Event()
    early = []

    def slow_transaction():
        try:
            with transaction.atomic():
                early.extend(pending_records(1))
                written.set()
                commit.wait(30)
        finally:
            connections["default"].close()

    thread = threading.Thread(target=slow_transaction)
    thread.start()
    written.wait(30)
    (later,) = pending_records(1)
    assert seal() == 1
    commit.set()
    thread.join(30)
    assert later.pk > early[0].pk
    assert seal() == 1
    order = list(ChainEntry.objects.order_by("position").values_list("record_id", flat=True))
    assert order == [later.pk, early[0].pk]
    assert verify_chain().intact


def sealer_holds_its_lock() -> bool:
    """A sealer is inside a batch: it holds the advisory lock (``chain._SEALER_LOCK``)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted "
            "AND classid = 0 AND objid = %s",
            [_SEALER_LOCK],
        )
        return cursor.fetchone()[0] > 0


@needs_postgres
@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_two_sealers_at_once_make_one_chain(settings):
    settings.AUDIT_MERGE_DELAY_SECONDS = 600  # the workers' start-up is not what is tested
    pending_records(3000)
    with celery_worker("sealer-1") as one, celery_worker("sealer-2") as two:
        for _ in range(4):
            seal_records.delay(batch=250)
        wait_for(lambda: not verify_chain().pending, timeout=90, worker=one)
        # Both sealed, side by side: the lock, not luck, kept one chain.
        wait_for(lambda: "succeeded" in one.log(), timeout=30, worker=one)
        wait_for(lambda: "succeeded" in two.log(), timeout=30, worker=two)
    entries = ChainEntry.objects.all()
    assert entries.count() == entries.values("record").distinct().count() == 3000
    assert list(entries.order_by("position").values_list("position", flat=True)) == list(
        range(1, 3001)
    )
    assert verify_chain().intact


@needs_postgres
@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_sealer_killed_mid_batch_loses_and_duplicates_nothing(settings):
    settings.AUDIT_MERGE_DELAY_SECONDS = 600  # these records wait for the kill on purpose
    pending_records(30000)
    with celery_worker("doomed-sealer") as doomed:
        seal_records.delay(batch=30000)
        wait_for(sealer_holds_its_lock, timeout=60, interval=0.05, worker=doomed)
        time.sleep(0.3)
        os.kill(doomed.process.pid, signal.SIGKILL)
        doomed.process.wait()
    # The batch was one transaction: PostgreSQL rolls it back when the connection drops.
    wait_for(lambda: not sealer_holds_its_lock(), timeout=30)
    assert not ChainEntry.objects.exists()
    assert seal() == 30000
    report = verify_chain()
    assert report.intact and (report.records, report.pending) == (30000, 0)


def test_a_row_linked_to_nothing_is_named(world):
    """Foreign keys can be switched off by whoever holds the database (here: deferred,
    never checked, as the test never commits); the row is not lost in a join."""
    three_acknowledgements(world)
    lift_guards()
    moved = Acknowledgement.objects.get(agent=world.agent_a2)
    Acknowledgement.objects.filter(pk=moved.pk).update(audit_record_id=987654321)
    problems = verify()[1]
    assert f"acknowledgement {moved.pk}: its audit_record is missing" in problems
    assert f"audit record {moved.audit_record_id}: its acknowledgement is missing" in problems
    # Put back: the test's end checks the deferred constraints.
    Acknowledgement.objects.filter(pk=moved.pk).update(audit_record_id=moved.audit_record_id)


def test_an_acknowledgement_moved_to_another_notices_version_is_found(world):
    from notices.models import NoticeVersion

    notice = three_acknowledgements(world)
    other = publish_notice(everyone=True)
    lift_guards()
    theirs = NoticeVersion.objects.get(notice=other)
    moved = Acknowledgement.objects.get(agent=world.agent_a1, notice=notice)
    Acknowledgement.objects.filter(pk=moved.pk).update(version=theirs, seen_version=theirs)
    problems = verify()[1]
    assert f"acknowledgement {moved.pk}: its versions are not the notice's" in problems
    assert any(p.startswith(f"acknowledgement {moved.pk}: version_id differs") for p in problems)
