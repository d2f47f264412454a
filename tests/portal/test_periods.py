"""Periods in the portal's time zone, measures as counts and percentages, and the registry
the KPI board reads them from."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from portal.measures import compute, measure_keys, register_measure
from portal.periods import (
    Measure,
    Period,
    Unit,
    check_periods,
    last_periods,
    local_date,
    month_of,
    period_of,
    week_of,
)

SEOUL = ZoneInfo("Asia/Seoul")


def test_weeks_start_on_monday():
    assert week_of(date(2026, 3, 4)) == Period(date(2026, 3, 2), date(2026, 3, 9))  # a Wednesday
    assert week_of(date(2026, 3, 2)) == Period(date(2026, 3, 2), date(2026, 3, 9))  # the Monday
    assert week_of(date(2026, 3, 8)) == Period(date(2026, 3, 2), date(2026, 3, 9))  # the Sunday
    # A week across a month's and a year's end.
    assert week_of(date(2026, 1, 1)) == Period(date(2025, 12, 29), date(2026, 1, 5))


def test_months_are_calendar_months():
    assert month_of(date(2026, 2, 28)) == Period(date(2026, 2, 1), date(2026, 3, 1))
    assert month_of(date(2028, 2, 29)) == Period(date(2028, 2, 1), date(2028, 3, 1))
    assert month_of(date(2026, 12, 31)) == Period(date(2026, 12, 1), date(2027, 1, 1))
    assert month_of(date(2026, 12, 31)).last_day == date(2026, 12, 31)
    assert period_of(date(2026, 4, 30), "month") == Period(date(2026, 4, 1), date(2026, 5, 1))


def test_the_last_periods_end_with_the_current_one_oldest_first():
    assert last_periods(3, Unit.MONTH, until=date(2026, 2, 15)) == [
        Period(date(2025, 12, 1), date(2026, 1, 1)),
        Period(date(2026, 1, 1), date(2026, 2, 1)),
        Period(date(2026, 2, 1), date(2026, 3, 1)),
    ]
    assert last_periods(2, "week", until=date(2026, 3, 2)) == [
        Period(date(2026, 2, 23), date(2026, 3, 2)),
        Period(date(2026, 3, 2), date(2026, 3, 9)),
    ]
    assert len(last_periods(12, Unit.MONTH)) == 12


def test_a_moment_belongs_to_the_period_of_its_local_date(settings):
    settings.TIME_ZONE = "Asia/Seoul"
    march = month_of(date(2026, 3, 1))
    # 31 March 23:59 in Seoul is 14:59 UTC; 1 April 00:00 in Seoul is still 31 March in UTC.
    last_minute = datetime(2026, 3, 31, 23, 59, tzinfo=SEOUL)
    next_month = datetime(2026, 4, 1, 0, 0, tzinfo=SEOUL)
    assert local_date(last_minute) in march
    assert local_date(next_month) not in march
    assert local_date(next_month.astimezone(ZoneInfo("UTC"))) == date(2026, 4, 1)
    assert march.bounds == (datetime(2026, 3, 1, tzinfo=SEOUL), next_month)


def test_periods_that_overlap_or_run_backwards_are_refused():
    check_periods([week_of(date(2026, 3, 2)), week_of(date(2026, 3, 9))])
    with pytest.raises(ValueError, match="overlap"):
        check_periods([week_of(date(2026, 3, 2)), month_of(date(2026, 3, 1))])
    with pytest.raises(ValueError, match="before it starts"):
        check_periods([Period(date(2026, 3, 2), date(2026, 3, 2))])


def test_a_measure_is_a_count_and_a_percentage_with_one_decimal():
    assert Measure(47, 50).percent == Decimal("94.0")
    assert str(Measure(47, 50)) == "47 / 50"
    assert Measure(2, 3).percent == Decimal("66.7")
    assert Measure(1, 8).percent == Decimal("12.5")
    assert Measure(1, 16).percent == Decimal("6.3")  # 6.25: half up
    assert Measure(0, 4).percent == Decimal("0.0")
    # No case is no data, not 0 %.
    assert Measure(0, 0).percent is None


def test_the_apps_register_the_board_s_measures():
    assert measure_keys() == [
        "decisions_within_limits",
        "feedback_resolved",
        "first_attempt_pass",
        "on_time_acknowledgement",
        "readiness_at_go_live",
    ]
    with pytest.raises(KeyError, match="no_such_measure"):
        compute("no_such_measure", [1], [week_of(date(2026, 3, 2))])
    with pytest.raises(ValueError, match="twice"):
        register_measure("feedback_resolved")(lambda vendor_ids, periods: {})


def test_nothing_asked_is_nothing_counted(db, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert compute("decisions_within_limits", [], [week_of(date(2026, 3, 2))]) == {}
        assert compute("decisions_within_limits", [1], []) == {}
