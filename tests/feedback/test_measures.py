"""Feedback closed, per vendor and period: of the items raised in the period, the share
accepted, declined or done."""

from datetime import date
from decimal import Decimal

import pytest

from feedback.measures import feedback_resolved
from feedback.models import FeedbackItem, Status
from feedback.reviewing import set_status
from portal.measures import compute
from portal.periods import Measure, Unit, last_periods, month_of, week_of
from tests.clock import seoul, stopped_at
from tests.feedback.builders import raise_on, resolve

pytestmark = pytest.mark.django_db

MARCH, APRIL = month_of(date(2026, 3, 1)), month_of(date(2026, 4, 1))


def raised_at(moment, page, agent, status=Status.NEW):
    with stopped_at(moment):
        item = raise_on(page, agent)
    if status == Status.DONE:
        return resolve(item)
    if status != Status.NEW:
        set_status(FeedbackItem.objects.filter(pk=item.pk), status)
    return item


@pytest.fixture
def raised(world, pages):
    """Vendor A in March: four items, one of each closed status and one in review (the
    last at the last minute of 31 March); in April: one new at midnight. Vendor B in
    March: one accepted."""
    refund, coupon = pages["refund"], pages["coupon"]
    raised_at(seoul(2026, 3, 2, 9, 0), refund, world.agent_a1, Status.DONE)
    raised_at(seoul(2026, 3, 12, 9, 0), coupon, world.agent_a2, Status.DECLINED)
    raised_at(seoul(2026, 3, 20, 9, 0), coupon, world.agent_a1, Status.IN_REVIEW)
    raised_at(seoul(2026, 3, 31, 23, 59), refund, world.agent_a2, Status.ACCEPTED)
    raised_at(seoul(2026, 4, 1, 0, 0), refund, world.agent_a1)
    raised_at(seoul(2026, 3, 15, 9, 0), coupon, world.agent_b1, Status.ACCEPTED)


def test_the_share_closed_per_vendor_and_month(world, raised):
    a, b = world.vendor_a.pk, world.vendor_b.pk
    result = compute("feedback_resolved", [a, b], [MARCH, APRIL])
    assert result == {
        (a, MARCH.start): Measure(3, 4),
        (a, APRIL.start): Measure(0, 1),
        (b, MARCH.start): Measure(1, 1),
        (b, APRIL.start): Measure(0, 0),
    }
    assert result[(a, MARCH.start)].percent == Decimal("75.0")
    assert result[(a, APRIL.start)].percent == Decimal("0.0")
    # Nothing raised is no data, not 0 %.
    assert result[(b, APRIL.start)].percent is None


def test_an_item_reopened_is_open_again(world, raised):
    set_status(FeedbackItem.objects.filter(status=Status.DECLINED), Status.IN_REVIEW)
    result = feedback_resolved([world.vendor_a.pk], [MARCH])
    assert result == {(world.vendor_a.pk, MARCH.start): Measure(2, 4)}


def test_weeks_start_on_monday(world, pages):
    raised_at(seoul(2026, 3, 8, 23, 59), pages["refund"], world.agent_a1, Status.DONE)  # Sunday
    raised_at(seoul(2026, 3, 9, 0, 0), pages["refund"], world.agent_a1)
    weeks = [week_of(date(2026, 3, 2)), week_of(date(2026, 3, 9))]
    assert feedback_resolved([world.vendor_a.pk], weeks) == {
        (world.vendor_a.pk, date(2026, 3, 2)): Measure(1, 1),
        (world.vendor_a.pk, date(2026, 3, 9)): Measure(0, 1),
    }


def test_one_query_for_two_vendors_and_twelve_periods(world, raised, django_assert_num_queries):
    periods = last_periods(12, Unit.MONTH, until=date(2026, 4, 1))
    with django_assert_num_queries(1):
        result = feedback_resolved([world.vendor_a.pk, world.vendor_b.pk], periods)
    assert len(result) == 24
    assert sum(each.denominator for each in result.values()) == 6
