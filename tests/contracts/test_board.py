"""The KPI board's figures: each KPI's value per period (an actual, or the portal's own
measure with its count), the latest value, its status against the target in the KPI's
direction and tolerance, the misses in a row, no data as no data; in a constant number
of queries whatever the number of vendors, KPIs and periods."""

from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone

from contracts.board import Status, build_board, complete_periods, format_value, status_of
from contracts.builders import kpi, make_contract
from contracts.models import Direction, KpiActual, Measure, ReviewNote, Unit
from portal.organisation.scoping import Reach, Scope, viewer_scope
from tests.factories import TeamFactory, VendorFactory, make_agent
from training.models import ReadinessSnapshot

pytestmark = pytest.mark.django_db

DAY = date(2026, 11, 26)
ALL = Scope(Reach.ALL)


def actual(kpi_row, start, value):
    return KpiActual.objects.create(
        kpi=kpi_row,
        period_start=start,
        value=Decimal(value),
        source="entered",
        recorded_at=timezone.now(),
    )


@pytest.mark.parametrize(
    ("direction", "value", "status"),
    [
        (Direction.HIGHER, "90", Status.MET),
        (Direction.HIGHER, "95", Status.MET),
        (Direction.HIGHER, "88", Status.WITHIN),
        (Direction.HIGHER, "87.99", Status.MISSED),
        (Direction.LOWER, "300", Status.MET),
        (Direction.LOWER, "302", Status.WITHIN),
        (Direction.LOWER, "302.01", Status.MISSED),
        (Direction.HIGHER, None, Status.NO_DATA),
    ],
)
def test_a_status_follows_the_direction_and_the_tolerance_band(direction, value, status):
    target, tolerance = ("90", "2") if direction == Direction.HIGHER else ("300", "2")
    row = kpi("x", "x", direction=direction, target=target, tolerance=tolerance)
    assert status_of(row, Decimal(value) if value else None) is status


@pytest.mark.parametrize(
    ("unit", "value", "shown"),
    [
        (Unit.PERCENT, "92.5", "92.5%"),
        (Unit.PERCENT, "92", "92.0%"),
        (Unit.PERCENT, "89.96", "89.96%"),
        (Unit.MINUTES, "4.75", "4.75분"),
        (Unit.SECONDS, "312", "5:12"),
        (Unit.SECONDS, "59.6", "1:00"),
        (Unit.MINUTES, "4.50", "4.5분"),
        (Unit.SCORE, "4.5", "4.50"),
        (Unit.COUNT, "12345", "12,345"),
        (Unit.COUNT, None, "—"),
    ],
)
def test_figures_are_written_as_people_read_them(unit, value, shown):
    assert format_value(Decimal(value) if value else None, unit) == shown


def test_the_board_shows_values_latest_status_and_misses_in_a_row(world):
    contract = make_contract(world.vendor_a, starts_on=date(2025, 1, 1))
    rate = contract.kpis.get(code="response-rate")  # higher, target 90, tolerance 2
    months = complete_periods("month", DAY)
    assert months[-1].start == date(2026, 10, 1) and months[0].start == date(2025, 11, 1)
    # August met, September missed, October nothing yet; July missed, June within.
    for start, value in [
        ("2026-06", "89"),
        ("2026-07", "80"),
        ("2026-08", "91"),
        ("2026-09", "85"),
    ]:
        actual(rate, date.fromisoformat(f"{start}-01"), value)
    line = build_board(ALL, day=DAY).vendors[0].line("response-rate")

    assert [p.status for p in line.points[-5:]] == [
        Status.WITHIN, Status.MISSED, Status.MET, Status.MISSED, Status.NO_DATA,
    ]  # fmt: skip
    assert line.points[-1].display == "—" and line.points[-1].value is None
    assert line.latest.label == "2026-09" and line.latest.display == "85.0%"
    assert line.status is Status.MISSED and line.missed_in_a_row == 1
    assert line.target == "≥ 90.0%" and line.tolerance == "±2.0%p"
    # The chart has a dot per value and a gap for no data, never a zero.
    assert len(line.chart["dots"]) == 4
    assert [dot["css"] for dot in line.chart["dots"]] == ["within", "missed", "met", "missed"]

    actual(rate, date(2026, 10, 1), "84")
    line = build_board(ALL, day=DAY).vendors[0].line("response-rate")
    assert line.latest.label == "2026-10" and line.missed_in_a_row == 2


def test_a_gap_ends_a_run_of_misses_and_a_kpi_without_data_is_no_data(world):
    contract = make_contract(world.vendor_a, starts_on=date(2025, 1, 1))
    rate = contract.kpis.get(code="response-rate")
    actual(rate, date(2026, 8, 1), "70")
    actual(rate, date(2026, 10, 1), "70")
    board = build_board(ALL, day=DAY).vendors[0]
    assert board.line("response-rate").missed_in_a_row == 1
    csat = board.line("csat")
    assert csat.latest is None and csat.status is Status.NO_DATA and csat.missed_in_a_row == 0
    assert csat.chart["dots"] == []


def test_a_computed_kpi_shows_its_count_beside_its_percentage(world):
    contract = make_contract(
        world.vendor_a,
        [
            kpi("ready", "투입 준비율", measure=Measure.READINESS_AT_GO_LIVE, target="95"),
            kpi("csat", "고객 만족도", unit=Unit.SCORE, target="4.5", tolerance="0.2"),
            kpi("rate", "응답률"),
        ],
        starts_on=date(2025, 1, 1),
    )
    go_live = date(2026, 9, 7)
    ReadinessSnapshot.objects.create(
        day=go_live, vendor=world.vendor_a, team=world.team_a1, go_live_date=go_live,
        agents=50, ready=47,
    )  # fmt: skip
    line = build_board(ALL, day=DAY).vendors[0].line("ready")
    assert contract.kpis.get(code="ready").measure
    assert line.latest.label == "2026-09"
    assert line.latest.display == "94.0%" and line.latest.counted == "47 / 50"
    assert line.status is Status.WITHIN  # 95 - 2
    # A month without a go-live is no data, not 0 %.
    assert line.points[-1].status is Status.NO_DATA and line.points[-1].counted == ""


def test_a_computed_kpi_is_not_judged_before_its_contract(world):
    make_contract(
        world.vendor_a,
        [
            kpi("ready", "투입 준비율", measure=Measure.READINESS_AT_GO_LIVE, target="95"),
            kpi("csat", "고객 만족도", unit=Unit.SCORE, target="4.5", tolerance="0.2"),
            kpi("rate", "응답률"),
        ],
        starts_on=date(2026, 10, 15),
    )
    for go_live in (date(2026, 9, 7), date(2026, 10, 19)):
        ReadinessSnapshot.objects.create(
            day=go_live, vendor=world.vendor_a, team=world.team_a1, go_live_date=go_live,
            agents=10, ready=1,
        )  # fmt: skip
    line = build_board(ALL, day=DAY).vendors[0].line("ready")
    shown = {point.label: point.status for point in line.points}
    # September's go-live came before the contract; October's is its first, partial month.
    assert (shown["2026-09"], shown["2026-10"]) == (Status.NO_DATA, Status.MISSED)
    assert line.missed_in_a_row == 1


def _vendor_with_contract(number):
    vendor = VendorFactory(name=f"협력사 {number}", code=f"B{number:02d}")
    team = TeamFactory(vendor=vendor)
    make_agent(team)
    contract = make_contract(
        vendor,
        [
            kpi("rate", "응답률"),
            kpi(
                "aht", "평균 처리 시간", unit=Unit.SECONDS, direction=Direction.LOWER, target="300"
            ),
            kpi("ack", "공지 확인율", measure=Measure.ON_TIME_ACKNOWLEDGEMENT),
            kpi("ready", "투입 준비율", measure=Measure.READINESS_AT_GO_LIVE),
            kpi("fcr", "1차 해결률", period="week", measure=Measure.DECISIONS_WITHIN_LIMITS),
        ],
        starts_on=date(2025, 1, 1),
    )
    for row in contract.kpis.filter(measure=""):
        for period in complete_periods(row.period, DAY):
            actual(row, period.start, "91")
    ReviewNote.objects.create(contract=contract, period_start=date(2026, 10, 1), text="합의")
    return vendor


def test_the_board_takes_the_same_queries_for_one_vendor_and_for_several(
    world, django_assert_num_queries
):
    _vendor_with_contract(1)
    # Contracts, their KPIs, the actuals, the notes, and one per computed measure and
    # period kind in use (on-time acknowledgement, readiness; decisions weekly).
    with django_assert_num_queries(7):
        board = build_board(ALL, day=DAY)
    assert len(board.vendors) == 1 and len(board.vendors[0].lines) == 5
    for number in range(2, 6):
        _vendor_with_contract(number)
    with django_assert_num_queries(7):
        board = build_board(ALL, day=DAY)
    assert len(board.vendors) == 5
    assert all(len(b.months[0].notes) == 1 for b in board.vendors)  # 2026-10, the latest
    assert board.vendors[0].line("aht").latest.display == "1:31"


def test_the_board_holds_the_vendors_the_viewer_sees(world):
    make_contract(world.vendor_a, starts_on=date(2025, 1, 1))
    make_contract(world.vendor_b, starts_on=date(2025, 1, 1))
    # An ended contract is not on the board.
    make_contract(
        world.vendor_b, name="옛 계약", starts_on=date(2024, 1, 1), ends_on=date(2024, 12, 31)
    )
    mine = build_board(viewer_scope(world.manager_a.user), day=DAY)
    assert [b.vendor for b in mine.vendors] == [world.vendor_a]
    everyone = build_board(viewer_scope(world.client_manager), day=DAY)
    assert {b.vendor for b in everyone.vendors} == {world.vendor_a, world.vendor_b}
    assert all(b.contract.name != "옛 계약" for b in everyone.vendors)
    assert build_board(viewer_scope(world.lead_a1.user), day=DAY).vendors == []
    assert build_board(viewer_scope(world.agent_a1.user), day=DAY).vendors == []
    only_b = build_board(viewer_scope(world.client_manager), vendor_id=world.vendor_b.pk, day=DAY)
    assert [b.vendor for b in only_b.vendors] == [world.vendor_b]
