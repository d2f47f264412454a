"""Personal details beside the ledger: committed to by each record, kept apart, erased
by ``forget`` with the ledger still verifying; and the upgrade that moved them there."""

import importlib
import json
from io import StringIO
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

from notices.models import Acknowledgement
from portal.audit.chain import ERASED, commitment, forget, record_hash, seal
from portal.audit.checkpoints import write_checkpoint
from portal.audit.models import AuditRecord, ChainEntry, PersonalDetail
from tests.notices.builders import ack, publish_notice
from tests.portal.audit.test_ledger import lift_guards, verify

pytestmark = pytest.mark.django_db

upgrade = importlib.import_module("portal.audit.migrations.0005_personal_details_beside_records")


def acknowledged(world):
    notice = publish_notice(everyone=True)
    for agent in (world.agent_a1, world.agent_a2, world.agent_b1):
        ack(notice, agent, ip_address="198.51.100.7", user_agent="Mozilla/5.0 (call floor)")
    return notice


def test_a_record_commits_to_the_details_it_does_not_state(world):
    acknowledged(world)
    row = Acknowledgement.objects.select_related("audit_record__personal").get(agent=world.agent_a1)
    payload = row.audit_record.payload
    assert not {"employee_number", "ip_address", "user_agent"} & set(payload)
    assert payload["agent_id"] == world.agent_a1.pk
    detail = row.audit_record.personal
    assert detail.details == {
        "employee_number": world.agent_a1.employee_number,
        "ip_address": "198.51.100.7",
        "user_agent": "Mozilla/5.0 (call floor)",
    }
    assert payload["personal"] == commitment(detail.nonce, detail.details)
    assert (row.ip_address, row.user_agent) == ("198.51.100.7", "Mozilla/5.0 (call floor)")
    seal()
    assert verify()[1] == []


@pytest.mark.parametrize(
    "change",
    [{"ip_address": "10.6.6.6"}, {"user_agent": "forged"}, {"employee_number": "E99999"}],
    ids=lambda change: next(iter(change)),
)
def test_a_detail_changed_behind_the_application_is_found(world, change):
    acknowledged(world)
    detail = PersonalDetail.objects.get(agent_id=world.agent_a2.pk)
    PersonalDetail.objects.filter(pk=detail.pk).update(details={**detail.details, **change})
    assert verify()[1] == [
        f"record {detail.record_id}: its personal details differ from the record"
    ]


def test_details_deleted_without_a_record_of_their_erasure_are_missing(world):
    acknowledged(world)
    gone = PersonalDetail.objects.get(agent_id=world.agent_b1.pk)
    PersonalDetail.objects.filter(pk=gone.pk).delete()
    assert verify()[1] == [f"record {gone.record_id}: its personal details are missing"]


def test_forgetting_an_agent_erases_their_details_and_the_ledger_still_verifies(world, settings):
    acknowledged(world)
    call_command("audit_checkpoint", stdout=StringIO())
    with transaction.atomic():
        erased = forget([world.agent_a1.pk, world.agent_a2.pk], reason="HGCS off-boarded")
    assert erased == 2
    seal()
    assert verify()[1] == []
    # Whose details were erased, and why, is itself in the chain.
    erasure = AuditRecord.objects.get(kind=ERASED)
    assert erasure.payload == {
        "agent_ids": sorted([world.agent_a1.pk, world.agent_a2.pk]),
        "records": 2,
        "reason": "HGCS off-boarded",
    }
    assert ChainEntry.objects.filter(record=erasure).exists()
    assert set(PersonalDetail.objects.values_list("agent_id", flat=True)) == {world.agent_b1.pk}
    rows = Acknowledgement.objects.select_related("audit_record__personal")
    assert {row.agent_id: (row.ip_address, row.user_agent) for row in rows} == {
        world.agent_a1.pk: (None, ""),
        world.agent_a2.pk: (None, ""),
        world.agent_b1.pk: ("198.51.100.7", "Mozilla/5.0 (call floor)"),
    }
    # Nothing of theirs is left in a record: only ids and commitments.
    text = json.dumps(list(AuditRecord.objects.values_list("payload", flat=True)))
    assert world.agent_a1.employee_number not in text and "198.51.100.7" not in text


def test_forgetting_nobody_writes_nothing(world):
    with transaction.atomic():
        assert forget([], reason="none") == 0
    assert not AuditRecord.objects.exists()


def test_details_lost_after_an_erasure_are_still_missing(world):
    """An erasure excuses the records it erased, not the agent's later ones; nor does a
    copy of its row under a newer id (its moment is keyed with it)."""
    notice = acknowledged(world)
    with transaction.atomic():
        forget([world.agent_a1.pk], reason="test")
    later = ack(publish_notice(everyone=True), world.agent_a1).acknowledgement
    assert notice.pk != later.notice_id
    PersonalDetail.objects.filter(record_id=later.audit_record_id).delete()
    assert verify()[1] == [f"record {later.audit_record_id}: its personal details are missing"]
    erasure = AuditRecord.objects.get(kind=ERASED)
    erasure.pk = None
    erasure.save()
    seal()
    assert verify()[1] == [f"record {later.audit_record_id}: its personal details are missing"]


# The upgrade -----------------------------------------------------------------------


def _old_style_records(world) -> list[AuditRecord]:
    """Acknowledgement records as the ledger wrote them before: details in the payload."""
    now = timezone.now()
    records = []
    for n, agent in enumerate((world.agent_a1, world.agent_b1)):
        payload = {
            "agent_id": agent.pk,
            "employee_number": agent.employee_number,
            "ip_address": f"203.0.113.{n + 1}",
            "user_agent": "Mozilla/5.0 (old)",
            "statement": "읽고 이해했습니다.",
        }
        records.append(
            AuditRecord.objects.create(
                kind="test.old_acknowledgement",
                payload=payload,
                created_at=now,
                record_hash=record_hash("test.old_acknowledgement", payload, now),
            )
        )
    AuditRecord.objects.create(
        kind="test.statement", payload={"n": 1}, created_at=now,
        record_hash=record_hash("test.statement", {"n": 1}, now),
    )  # fmt: skip
    return records


def _upgrade(capture):
    # The migration moves the older checkpoints aside once it has committed.
    with capture(execute=True):
        upgrade.move_personal_details(apps, SimpleNamespace(connection=connection))


def test_the_upgrade_moves_details_out_of_the_records_and_rekeys_the_chain(
    world, settings, django_capture_on_commit_callbacks
):
    records = _old_style_records(world)
    path, before = write_checkpoint()
    _upgrade(django_capture_on_commit_callbacks)
    moved = {d.record_id: d for d in PersonalDetail.objects.all()}
    assert set(moved) == {record.pk for record in records}
    for record in AuditRecord.objects.filter(pk__in=moved):
        detail = moved[record.pk]
        assert set(record.payload) == {"agent_id", "statement", "personal"}
        assert record.payload["personal"] == commitment(detail.nonce, detail.details)
        assert detail.details["user_agent"] == "Mozilla/5.0 (old)"
        assert detail.agent_id == record.payload["agent_id"]
    # The checkpoint of the chain as it was is kept aside; audit_checkpoint writes (and
    # sends) one of the re-keyed chain.
    directory = settings.AUDIT_CHECKPOINT_DIR
    assert (directory / upgrade.SUPERSEDED / path.name).exists()
    assert not (directory / path.name).exists()
    assert verify()[1] == []
    _path, after = write_checkpoint()
    assert after["records"] == before["records"] == 3
    assert after["head"] != before["head"]
    # Once forgotten, the old records still verify.
    with transaction.atomic():
        assert forget([world.agent_a1.pk], reason="test") == 1
    seal()
    assert verify()[1] == []


def test_the_upgrade_refuses_a_ledger_that_does_not_verify(
    world, django_capture_on_commit_callbacks
):
    records = _old_style_records(world)
    seal(everything=True)
    lift_guards()
    AuditRecord.objects.filter(pk=records[0].pk).update(
        payload={**records[0].payload, "ip_address": "10.6.6.6"}
    )
    with pytest.raises(RuntimeError, match=f"record {records[0].pk}"):
        _upgrade(django_capture_on_commit_callbacks)
    assert not PersonalDetail.objects.exists()


def test_the_upgrade_refuses_a_ledger_shorter_than_its_checkpoint(
    world, settings, django_capture_on_commit_callbacks
):
    """The newest record deleted with its entry: the chain still links up, only the
    checkpoint remembers it. Re-keyed and re-checkpointed, that would be forgotten."""
    _old_style_records(world)
    path, _body = write_checkpoint()
    lift_guards()
    newest = ChainEntry.objects.order_by("-position").first()
    ChainEntry.objects.filter(pk=newest.pk).delete()
    AuditRecord.objects.filter(pk=newest.record_id).delete()
    with pytest.raises(RuntimeError, match=f"checkpoint {path.name} no longer matches"):
        _upgrade(django_capture_on_commit_callbacks)
    assert path.exists() and not PersonalDetail.objects.exists()


def test_the_upgrade_refuses_a_forged_checkpoint(world, django_capture_on_commit_callbacks):
    _old_style_records(world)
    path, body = write_checkpoint()
    path.write_text(json.dumps({**body, "records": 2}))
    with pytest.raises(RuntimeError, match="not genuine"):
        _upgrade(django_capture_on_commit_callbacks)
