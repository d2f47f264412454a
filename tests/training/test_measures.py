"""Training's measures per vendor and period: agents ready on their go-live date, and
first quiz attempts passed."""

from datetime import date
from decimal import Decimal

import pytest

from portal.measures import compute
from portal.periods import Measure, Unit, last_periods, month_of, week_of
from tests.clock import seoul, stopped_at
from training.builders import pass_course, read_lessons, take_quiz
from training.measures import first_attempt_pass, readiness_at_go_live
from training.models import QuizAttempt, ReadinessSnapshot
from training.nudges import record_snapshots
from training.quiz import open_attempt

from .builders import publish_course

pytestmark = pytest.mark.django_db

MARCH, APRIL = month_of(date(2026, 3, 1)), month_of(date(2026, 4, 1))
LAST_OF_MARCH, FIRST_OF_APRIL = date(2026, 3, 31), date(2026, 4, 1)


def go_live_on(day, *agents):
    for agent in agents:
        agent.go_live_date = day
        agent.save()


def test_readiness_is_read_from_the_snapshot_of_the_go_live_day(world):
    course = publish_course()
    go_live_on(LAST_OF_MARCH, world.agent_a1, world.agent_a2)
    go_live_on(FIRST_OF_APRIL, world.agent_b1)
    # The day before go-live nobody is ready; that day's snapshot does not count.
    record_snapshots(today=date(2026, 3, 30))
    pass_course(course, world.agent_a1)
    record_snapshots(today=LAST_OF_MARCH)
    record_snapshots(today=FIRST_OF_APRIL)
    # Ready after go-live is too late: the later snapshot does not count either.
    pass_course(course, world.agent_a2)
    record_snapshots(today=date(2026, 4, 2))

    a, b = world.vendor_a.pk, world.vendor_b.pk
    result = compute("readiness_at_go_live", [a, b], [MARCH, APRIL])
    assert result == {
        (a, MARCH.start): Measure(1, 2),
        (a, APRIL.start): Measure(0, 0),
        (b, MARCH.start): Measure(0, 0),
        (b, APRIL.start): Measure(0, 1),
    }
    assert result[(a, MARCH.start)].percent == Decimal("50.0")
    assert result[(b, APRIL.start)].percent == Decimal("0.0")
    # Nobody going live is no data, not 0 %.
    assert result[(a, APRIL.start)].percent is None


def snapshot(team, go_live_date, agents, ready, day=None):
    return ReadinessSnapshot.objects.create(
        day=day or go_live_date,
        vendor=team.vendor,
        team=team,
        go_live_date=go_live_date,
        agents=agents,
        ready=ready,
    )


def test_cohorts_add_up_and_weeks_start_on_monday(world):
    snapshot(world.team_a1, date(2026, 3, 29), agents=4, ready=3)  # a Sunday
    snapshot(world.team_a2, date(2026, 3, 29), agents=2, ready=2)
    snapshot(world.team_a1, date(2026, 3, 30), agents=5, ready=1)  # the Monday after
    snapshot(world.team_b1, date(2026, 3, 30), agents=3, ready=3)
    weeks = [week_of(date(2026, 3, 23)), week_of(date(2026, 3, 30))]
    a, b = world.vendor_a.pk, world.vendor_b.pk
    assert readiness_at_go_live([a, b], weeks) == {
        (a, date(2026, 3, 23)): Measure(5, 6),
        (a, date(2026, 3, 30)): Measure(1, 5),
        (b, date(2026, 3, 23)): Measure(0, 0),
        (b, date(2026, 3, 30)): Measure(3, 3),
    }


@pytest.fixture
def attempted(world):
    """Vendor A: in March a first attempt failed at the last minute of 31 March and one
    passed at another course; in April one passed at midnight, and a second attempt passed.
    Vendor B: a first attempt failed in March, and one opened and never submitted."""
    refunds, coupons = (
        publish_course("환불 교육", lessons=1),
        publish_course("쿠폰 교육", lessons=1),
    )
    for agent in (world.agent_a1, world.agent_a2, world.agent_b1):
        read_lessons(refunds, agent)
        read_lessons(coupons, agent)
    with stopped_at(seoul(2026, 3, 31, 23, 59)):
        assert not take_quiz(refunds, world.agent_a1, wrong=1).passed
    with stopped_at(seoul(2026, 4, 1, 10, 0)):
        assert take_quiz(refunds, world.agent_a1).passed
    with stopped_at(seoul(2026, 3, 10, 9, 0)):
        assert take_quiz(coupons, world.agent_a1).passed
    with stopped_at(seoul(2026, 4, 1, 0, 0)):
        assert take_quiz(refunds, world.agent_a2).passed
    with stopped_at(seoul(2026, 3, 15, 14, 0)):
        assert not take_quiz(refunds, world.agent_b1, wrong=2).passed
        open_attempt(coupons, world.agent_b1)
    assert QuizAttempt.objects.count() == 6


def test_first_attempts_passed_per_vendor_and_month(world, attempted):
    a, b = world.vendor_a.pk, world.vendor_b.pk
    result = compute("first_attempt_pass", [a, b], [MARCH, APRIL])
    assert result == {
        (a, MARCH.start): Measure(1, 2),
        (a, APRIL.start): Measure(1, 1),
        (b, MARCH.start): Measure(0, 1),
        (b, APRIL.start): Measure(0, 0),
    }
    assert result[(b, MARCH.start)].percent == Decimal("0.0")
    assert result[(b, APRIL.start)].percent is None


def test_a_first_attempt_counts_in_its_own_week(world, attempted):
    # 31 March is a Tuesday: the first attempts of the 31st and of 1 April share a week.
    weeks = [week_of(date(2026, 3, 9)), week_of(date(2026, 3, 30))]
    assert first_attempt_pass([world.vendor_a.pk], weeks) == {
        (world.vendor_a.pk, date(2026, 3, 9)): Measure(1, 1),
        (world.vendor_a.pk, date(2026, 3, 30)): Measure(1, 2),
    }


@pytest.mark.parametrize(("measure", "cases"), [(readiness_at_go_live, 3), (first_attempt_pass, 4)])
def test_one_query_for_two_vendors_and_twelve_periods(
    world, attempted, measure, cases, django_assert_num_queries
):
    snapshot(world.team_a1, LAST_OF_MARCH, agents=2, ready=1)
    snapshot(world.team_b1, FIRST_OF_APRIL, agents=1, ready=1)
    periods = last_periods(12, Unit.MONTH, until=FIRST_OF_APRIL)
    with django_assert_num_queries(1):
        result = measure([world.vendor_a.pk, world.vendor_b.pk], periods)
    assert len(result) == 24
    assert sum(each.denominator for each in result.values()) == cases
