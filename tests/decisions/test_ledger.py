"""Decisions in the attestation ledger: append-only, and checked by ``verify_audit``
against their audit records both ways."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from decisions.models import Decision
from portal.audit import guards
from portal.audit.chain import seal

from .builders import decide, refund_policy

pytestmark = pytest.mark.django_db


def test_the_database_refuses_to_change_or_delete_a_decision(world):
    decision = decide(refund_policy(), world.agent_a1)
    with pytest.raises(DatabaseError), transaction.atomic():
        Decision.objects.filter(pk=decision.pk).update(amount_krw=1)
    with pytest.raises(DatabaseError), transaction.atomic():
        Decision.objects.filter(pk=decision.pk).delete()


def test_verify_audit_passes_then_finds_a_decision_changed_or_deleted(world, capsys):
    policy = refund_policy()
    kept = decide(policy, world.agent_a1)
    gone = decide(policy, world.agent_a2, amount=99999)
    seal()
    call_command("verify_audit")
    assert "2 records sealed, 0 pending" in capsys.readouterr().out
    # As someone holding the database would, the append-only triggers lifted first.
    guards.remove(connection, "decisions_decision")
    Decision.objects.filter(pk=kept.pk).update(amount_krw=1000, outcome="recorded")
    Decision.objects.filter(pk=gone.pk).delete()
    with pytest.raises(CommandError):
        call_command("verify_audit")
    problems = capsys.readouterr().err
    assert f"decision {kept.pk}: amount_krw differs from audit record" in problems
    assert f"audit record {gone.audit_record_id}: its decision is missing" in problems
