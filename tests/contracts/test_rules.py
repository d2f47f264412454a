"""A contract keeps 3 to 5 active KPIs; periods are written one way everywhere."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from contracts.builders import kpi, make_contract
from contracts.models import Contract, Kpi, KpiActual, Measure, Unit
from contracts.periods import Period, parse_period, period_label

pytestmark = pytest.mark.django_db


def _kpis(active, inactive=0):
    return [kpi(f"k{n}", f"지표 {n}") for n in range(active)] + [
        kpi(f"off{n}", f"중단 {n}", active=False) for n in range(inactive)
    ]


@pytest.mark.parametrize("active", [3, 4, 5])
def test_three_to_five_active_kpis_make_a_contract(world, active):
    contract = make_contract(world.vendor_a, _kpis(active, inactive=2))
    assert Kpi.objects.filter(contract=contract, active=True).count() == active


@pytest.mark.parametrize(("active", "inactive"), [(2, 3), (6, 0), (0, 5)])
def test_fewer_than_three_or_more_than_five_active_kpis_are_refused(
    world, active, inactive, english
):
    with pytest.raises(ValidationError, match="3 to 5 active KPIs"):
        make_contract(world.vendor_a, _kpis(active, inactive))
    assert not Contract.objects.exists()


def test_a_contract_ends_after_it_starts_and_its_pilot_within_it(world):
    with pytest.raises(ValidationError) as refused:
        make_contract(world.vendor_a, starts_on=date(2026, 5, 1), ends_on=date(2026, 4, 1))
    assert "ends_on" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        make_contract(
            world.vendor_a,
            starts_on=date(2026, 1, 1),
            ends_on=date(2026, 12, 31),
            pilot_ends_on=date(2027, 1, 31),
        )
    assert "pilot_ends_on" in refused.value.message_dict


def test_a_computed_kpi_is_a_percentage(world):
    computed = kpi("ack", "공지 확인", unit=Unit.SECONDS, measure=Measure.ON_TIME_ACKNOWLEDGEMENT)
    with pytest.raises(ValidationError):
        computed.full_clean(exclude=["contract"])


@pytest.mark.parametrize(
    ("value", "period", "start"),
    [
        ("2026-11", Period.MONTH, date(2026, 11, 1)),
        ("2026.11", Period.MONTH, date(2026, 11, 1)),
        ("2026-11-01", Period.MONTH, date(2026, 11, 1)),
        (date(2026, 11, 1), Period.MONTH, date(2026, 11, 1)),
        ("2026-W47", Period.WEEK, date(2026, 11, 16)),
        ("2026w47", Period.WEEK, date(2026, 11, 16)),
        ("2026-11-16", Period.WEEK, date(2026, 11, 16)),
    ],
)
def test_periods_are_read_as_people_write_them(value, period, start):
    assert parse_period(value, period) == start


@pytest.mark.parametrize(
    ("value", "period", "reason"),
    [
        ("2026-W47", Period.MONTH, "monthly"),
        ("2026-11", Period.WEEK, "weekly"),
        ("2026-11-17", Period.WEEK, "Monday"),
        ("2026-11-16", Period.MONTH, "1st"),
        ("2026-13", Period.MONTH, "not a month"),
        ("2026-W54", Period.WEEK, "not a week"),
        ("지난달", Period.MONTH, "not a month"),
        ("", Period.MONTH, "empty"),
        # Beyond the years a contract covers: no week or month end to compute.
        ("9999-12", Period.MONTH, "not a year a contract covers"),
        ("0000-01", Period.MONTH, "not a year a contract covers"),
        ("9999-W52", Period.WEEK, "not a year a contract covers"),
        ("9999-12-27", Period.WEEK, "not a year a contract covers"),
        (date(9999, 12, 1), Period.MONTH, "not a year a contract covers"),
        # A cell typed 2026.10 is the number 2026.1: never read as January.
        (2026.1, Period.MONTH, "as text"),
        (202610, Period.MONTH, "as text"),
    ],
)
def test_a_wrong_period_says_how_to_write_it(value, period, reason, english):
    with pytest.raises(ValidationError, match=reason):
        parse_period(value, period)


def test_a_period_is_written_back_as_it_is_read():
    assert period_label(date(2026, 11, 16), Period.WEEK) == "2026-W47"
    assert period_label(date(2026, 11, 1), Period.MONTH) == "2026-11"


def test_an_actual_starts_its_period(world, contracts):
    weekly = Kpi.objects.get(contract=contracts[0], code="fcr")
    actual = KpiActual(kpi=weekly, period_start=date(2026, 11, 17), value=1, source="entered")
    with pytest.raises(ValidationError) as refused:
        actual.clean()
    assert "period_start" in refused.value.message_dict


def test_every_measure_a_kpi_may_name_is_computed_by_the_portal():
    from contracts.models import Measure
    from portal.measures import measure_keys

    assert sorted(Measure.values) == measure_keys()
