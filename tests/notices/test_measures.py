"""On-time acknowledgements, per vendor and period: of the acknowledgements due in the
period, the share made by the due date."""

from datetime import date
from decimal import Decimal

import pytest

from notices.delivery import create_deliveries
from notices.measures import on_time_acknowledgement
from notices.models import ChangeNoticePage
from notices.versions import current_material_version
from portal.measures import compute
from portal.periods import Measure, Unit, last_periods, local_date, month_of, week_of
from portal.publishing import publish_again
from tests.clock import seoul, stopped_at

from .builders import ack, publish_notice

pytestmark = pytest.mark.django_db

FEBRUARY, MARCH, APRIL = (month_of(date(2026, m, 1)) for m in (2, 3, 4))


def due(notice, moment, *agents):
    """``notice`` due at ``moment``, its current version delivered to ``agents``."""
    ChangeNoticePage.objects.filter(pk=notice.pk).update(acknowledge_by=moment)
    notice.refresh_from_db()
    create_deliveries(current_material_version(notice), [agent.pk for agent in agents])
    return notice


def acked_at(moment, notice, agent):
    with stopped_at(moment):
        return ack(notice, agent).acknowledgement


@pytest.fixture
def acknowledged(world):
    """Vendor A: one of two on time in March (the last minute of 31 March; the other at
    midnight, late), one of one in April (due at midnight 1 April). Vendor B: none of one
    in March."""
    last_minute = seoul(2026, 3, 31, 23, 59)
    march = due(
        publish_notice("3월 공지"), last_minute, world.agent_a1, world.agent_a2, world.agent_b1
    )
    april = due(publish_notice("4월 공지"), seoul(2026, 4, 1, 0, 0), world.agent_a1)
    assert acked_at(seoul(2026, 3, 31, 23, 58), march, world.agent_a1).on_time
    assert not acked_at(seoul(2026, 4, 1, 0, 0), march, world.agent_a2).on_time
    assert acked_at(seoul(2026, 3, 20, 10, 0), april, world.agent_a1).on_time


def test_the_share_on_time_per_vendor_and_month(world, acknowledged):
    a, b = world.vendor_a.pk, world.vendor_b.pk
    result = compute("on_time_acknowledgement", [a, b], [FEBRUARY, MARCH, APRIL])
    assert result == {
        (a, FEBRUARY.start): Measure(0, 0),
        (a, MARCH.start): Measure(1, 2),
        (a, APRIL.start): Measure(1, 1),
        (b, FEBRUARY.start): Measure(0, 0),
        (b, MARCH.start): Measure(0, 1),
        (b, APRIL.start): Measure(0, 0),
    }
    assert result[(a, MARCH.start)].percent == Decimal("50.0")
    assert result[(b, MARCH.start)].percent == Decimal("0.0")
    # Nothing due is no data, not 0 %.
    assert result[(a, FEBRUARY.start)].percent is None


def test_weeks_start_on_monday(world, acknowledged):
    # 31 March is a Tuesday: both due dates fall in the week from Monday 30 March.
    weeks = [week_of(date(2026, 3, 23)), week_of(date(2026, 3, 30))]
    result = on_time_acknowledgement([world.vendor_a.pk], weeks)
    assert result == {
        (world.vendor_a.pk, date(2026, 3, 23)): Measure(0, 0),
        (world.vendor_a.pk, date(2026, 3, 30)): Measure(2, 3),
    }


def test_only_the_version_an_agent_can_still_confirm_counts(world):
    notice = due(publish_notice("2월 공지"), seoul(2026, 2, 27, 18, 0), world.agent_a1)
    # A material revision: the first version can no longer be confirmed, the second is due.
    notice = publish_again(notice, material=True, summary="기준이 다시 바뀝니다.")
    due(notice, seoul(2026, 2, 27, 18, 0), world.agent_a1)
    acked_at(seoul(2026, 2, 26, 9, 0), notice, world.agent_a1)
    result = on_time_acknowledgement([world.vendor_a.pk], [FEBRUARY])
    assert result == {(world.vendor_a.pk, FEBRUARY.start): Measure(1, 1)}


def test_a_delivery_still_open_before_its_due_date_is_not_a_miss_yet(world):
    notice = publish_notice("이번 주 공지")  # due in three days
    create_deliveries(current_material_version(notice), [world.agent_a1.pk, world.agent_a2.pk])
    this_month = month_of(local_date(notice.acknowledge_by))
    measured = on_time_acknowledgement([world.vendor_a.pk], [this_month])
    assert measured[(world.vendor_a.pk, this_month.start)] == Measure(0, 0)
    ack(notice, world.agent_a1)
    measured = on_time_acknowledgement([world.vendor_a.pk], [this_month])
    assert measured[(world.vendor_a.pk, this_month.start)] == Measure(1, 1)


def test_one_query_for_two_vendors_and_twelve_periods(
    world, acknowledged, django_assert_num_queries
):
    periods = last_periods(12, Unit.MONTH, until=date(2026, 4, 1))
    with django_assert_num_queries(1):
        result = on_time_acknowledgement([world.vendor_a.pk, world.vendor_b.pk], periods)
    assert len(result) == 24
    assert sum(measure.numerator for measure in result.values()) == 2
    assert sum(measure.denominator for measure in result.values()) == 4


def test_a_notice_expired_since_still_counts_in_its_month(world, acknowledged):
    a = world.vendor_a.pk
    before = compute("on_time_acknowledgement", [a], [MARCH])
    # As beat unpublishes a promotion's notice once it expires.
    ChangeNoticePage.objects.get(title="3월 공지").unpublish()
    assert (
        compute("on_time_acknowledgement", [a], [MARCH])
        == before
        == {(a, MARCH.start): Measure(1, 2)}
    )
