"""The demo's week of decisions: both vendors, some refused at the limit, in the ledger."""

from datetime import timedelta

import pytest
from django.db.models.functions import TruncDate
from django.utils import timezone

from decisions.demo import load_demo_decisions
from decisions.models import Decision
from knowledge.demo import load_demo_knowledge
from portal.audit.chain import verify_chain, verify_linked_records
from portal.organisation.demo import load_demo_organisation

pytestmark = pytest.mark.django_db


def test_demo_decisions_load_once_over_a_week_with_refusals_at_the_limit():
    load_demo_organisation()
    load_demo_knowledge()
    assert load_demo_decisions() > 40
    assert load_demo_decisions() == 0
    decisions = Decision.objects.all()
    assert decisions.values("agent__vendor").distinct().count() == 2
    refusals = set(decisions.filter(outcome="refused").values_list("refusal", flat=True))
    assert refusals == {"over_amount", "over_times"}
    days = set(decisions.annotate(day=TruncDate("decided_at")).values_list("day", flat=True))
    assert len(days) == 7 and max(days) < timezone.localdate() + timedelta(days=1)
    report = verify_chain()
    assert report.intact and report.warnings == [] and report.pending == 0
    assert verify_linked_records() == []
