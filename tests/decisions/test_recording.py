"""Recording a decision: the policy's rules as published, checked on the server; refusals
recorded; bad input refused with nothing written."""

from datetime import timedelta

import pytest
from django.utils import timezone

from decisions.models import Decision, mask
from decisions.recording import (
    DecisionRejected,
    PolicyNotFound,
    customer_hash,
    normalise_customer,
)
from knowledge.models import AuthorityLevel
from portal.audit.models import AuditRecord
from tests.knowledge.builders import section

from .builders import decide, refund_policy

pytestmark = pytest.mark.django_db


def test_a_decision_records_the_policy_version_agent_and_facts(world):
    policy = refund_policy()
    decision = decide(
        policy,
        world.agent_a1,
        amount=30000,
        reference="ORD-2026-778899",
        note="배송 5일 지연",
        ip_address="198.51.100.7",
        user_agent="Chrome",
    )
    assert decision.outcome == Decision.Outcome.RECORDED
    assert decision.policy_revision_id == policy.live_revision_id
    assert (decision.agent, decision.amount_krw, decision.channel) == (
        world.agent_a1,
        30000,
        "phone",
    )
    assert decision.masked_reference == "••••••••8899"
    assert decision.audit_record.payload["policy_revision_id"] == policy.live_revision_id
    assert decision.audit_record.payload["agent_id"] == world.agent_a1.pk


def test_the_customer_is_kept_only_as_a_keyed_hash_of_one_spelling(world):
    decision = decide(refund_policy(), world.agent_a1, customer="010-1234 5678")
    assert normalise_customer(" Kim@Example.COM ") == "kim@example.com"
    full_width = "".join(chr(0xFF10 + int(digit)) for digit in "01012345678")
    for spelling in ("+82 10-1234-5678", "010.1234.5678", "(010)1234-5678", full_width):
        assert normalise_customer(spelling) == "01012345678", spelling
    assert normalise_customer("M-82-1234") == "m821234"  # a member number keeps its 82
    assert decision.customer_hash == customer_hash("01012345678")
    stored = str(decision.audit_record.payload) + str(Decision.objects.values().get())
    assert "5678" not in stored.replace(decision.customer_hash, "")


def test_an_amount_over_the_limit_is_refused_and_the_refusal_recorded(world):
    policy = refund_policy()
    assert decide(policy, world.agent_a1, amount=30000).outcome == "recorded"
    refused = decide(policy, world.agent_a1, amount=30001, customer="010-9999-0000")
    assert (refused.outcome, refused.refusal) == ("refused", "over_amount")
    assert refused.audit_record.payload["outcome"] == "refused"


def test_the_times_per_customer_count_recorded_decisions_only_within_the_window(world):
    policy = refund_policy()
    decide(policy, world.agent_a1)
    decide(policy, world.agent_a1, amount=99999)  # refused: does not count
    decide(policy, world.agent_a2, customer="01012345678")
    third = decide(policy, world.agent_a1, customer="010 1234 5678")
    assert (third.outcome, third.refusal) == ("refused", "over_times")
    # Another customer, and the same one under another policy, are not affected.
    assert decide(policy, world.agent_a1, customer="010-0000-0000").outcome == "recorded"
    other = refund_policy(title="파손 보상")
    assert decide(other, world.agent_a1).outcome == "recorded"


def test_a_decision_older_than_the_window_no_longer_counts(world, monkeypatch):
    policy = refund_policy(
        limit_times_per_customer=1,
        limit_window_days=30,
        effective_from=timezone.localdate() - timedelta(days=60),
    )
    long_ago = timezone.now() - timedelta(days=30, minutes=1)
    monkeypatch.setattr("django.utils.timezone.now", lambda: long_ago)
    decide(policy, world.agent_a1)
    monkeypatch.undo()
    assert decide(policy, world.agent_a1).outcome == "recorded"
    assert decide(policy, world.agent_a1).outcome == "refused"


@pytest.mark.parametrize(
    "kwargs",
    [
        {"amount": -5000},
        {"amount": 0},
        {"amount": None},
        {"amount": "30000"},
        {"amount": True},
        {"channel": "fax"},
        {"customer": " - "},
    ],
    ids=lambda value: str(value)[:40],
)
def test_bad_input_is_refused_and_nothing_written(world, kwargs):
    with pytest.raises(DecisionRejected):
        decide(refund_policy(), world.agent_a1, **kwargs)
    assert Decision.objects.count() == AuditRecord.objects.count() == 0


@pytest.mark.parametrize("authority", [AuthorityLevel.TEAM_LEAD, AuthorityLevel.CLIENT])
def test_a_policy_agents_may_not_decide_under_is_refused(world, authority, english):
    with pytest.raises(DecisionRejected, match="escalation"):
        decide(refund_policy(authority=authority), world.agent_a1)
    assert not Decision.objects.exists()


def test_a_policy_not_in_effect_is_refused(world):
    today = timezone.localdate()
    with pytest.raises(DecisionRejected):
        decide(refund_policy(effective_from=today + timedelta(days=1)), world.agent_a1)
    with pytest.raises(DecisionRejected):
        decide(refund_policy(effective_until=today - timedelta(days=1)), world.agent_a1)
    assert not Decision.objects.exists()


def test_a_policy_limited_to_another_vendor_does_not_exist_for_the_agent(world):
    only_b = section("온누리 전용", audience=[(world.vendor_b, None)])
    with pytest.raises(PolicyNotFound):
        decide(refund_policy(only_b), world.agent_a1)
    assert decide(refund_policy(only_b, title="B 보상"), world.agent_b1).outcome == "recorded"


def test_a_policy_without_an_amount_limit_takes_no_amount(world):
    decision = decide(refund_policy(limit_amount_krw=None), world.agent_a1, amount=None)
    assert decision.amount_krw is None


def test_short_references_are_hidden_whole():
    assert mask("") == ""
    assert mask("1234") == "••••"
    assert mask("A12345") == "••2345"
