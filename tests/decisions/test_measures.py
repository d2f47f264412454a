"""Decisions within limits, per vendor and period: the share recorded rather than refused."""

from datetime import date
from decimal import Decimal

import pytest

from decisions.measures import decisions_within_limits
from portal.measures import compute
from portal.periods import Measure, Unit, last_periods, month_of, week_of
from tests.clock import seoul, stopped_at

from .builders import decide, refund_policy

pytestmark = pytest.mark.django_db

MARCH, APRIL, FEBRUARY = (month_of(date(2026, m, 1)) for m in (3, 4, 2))


@pytest.fixture
def policy(world):
    return refund_policy(effective_from=date(2026, 1, 1))


def decided_at(moment, policy, agent, *, customer, amount=10000):
    with stopped_at(moment):
        return decide(policy, agent, customer=customer, amount=amount)


def test_the_share_recorded_per_vendor_and_month(world, policy):
    decided_at(seoul(2026, 3, 10, 9, 0), policy, world.agent_a1, customer="010-1")
    over = decided_at(
        seoul(2026, 3, 31, 23, 59), policy, world.agent_a2, customer="2", amount=50000
    )
    assert over.outcome == "refused"
    decided_at(seoul(2026, 3, 31, 23, 59), policy, world.agent_a1, customer="010-3")
    # Midnight in Seoul is April, though it is still 31 March in UTC.
    decided_at(seoul(2026, 4, 1, 0, 0), policy, world.agent_a1, customer="010-4")
    decided_at(seoul(2026, 3, 15, 12, 0), policy, world.agent_b1, customer="010-5", amount=40000)

    vendors = [world.vendor_a.pk, world.vendor_b.pk]
    result = compute("decisions_within_limits", vendors, [FEBRUARY, MARCH, APRIL])
    a, b = world.vendor_a.pk, world.vendor_b.pk
    assert result == {
        (a, FEBRUARY.start): Measure(0, 0),
        (a, MARCH.start): Measure(2, 3),
        (a, APRIL.start): Measure(1, 1),
        (b, FEBRUARY.start): Measure(0, 0),
        (b, MARCH.start): Measure(0, 1),
        (b, APRIL.start): Measure(0, 0),
    }
    assert result[(a, MARCH.start)].percent == Decimal("66.7")
    assert result[(b, MARCH.start)].percent == Decimal("0.0")
    # No decision is no data, not 0 %.
    assert result[(a, FEBRUARY.start)].percent is None


def test_weeks_start_on_monday(world, policy):
    decided_at(seoul(2026, 3, 8, 23, 59), policy, world.agent_a1, customer="010-1")  # Sunday
    decided_at(seoul(2026, 3, 9, 0, 0), policy, world.agent_a1, customer="010-2", amount=99000)
    weeks = [week_of(date(2026, 3, 2)), week_of(date(2026, 3, 9))]
    result = decisions_within_limits([world.vendor_a.pk], weeks)
    assert result == {
        (world.vendor_a.pk, date(2026, 3, 2)): Measure(1, 1),
        (world.vendor_a.pk, date(2026, 3, 9)): Measure(0, 1),
    }


def test_one_query_for_two_vendors_and_twelve_periods(world, policy, django_assert_num_queries):
    for month in (1, 2, 3):
        decided_at(seoul(2026, month, 5, 10, 0), policy, world.agent_a1, customer=f"010-{month}")
        decided_at(seoul(2026, month, 6, 10, 0), policy, world.agent_b1, customer=f"011-{month}")
    periods = last_periods(12, Unit.MONTH, until=date(2026, 3, 1))
    with django_assert_num_queries(1):
        result = decisions_within_limits([world.vendor_a.pk, world.vendor_b.pk], periods)
    assert len(result) == 24
    assert sum(measure.denominator for measure in result.values()) == 6
