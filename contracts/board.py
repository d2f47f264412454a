"""The KPI board's figures: for each vendor a viewer may see, the contract in force and
each of its active KPIs over the last 12 complete weeks or months, against its target.

A KPI's value in a period is its actual (a reported KPI) or the portal's own measure of
it (a computed one, ``portal.measures``: 47 / 50 and the percentage they make). Its
status: *met* at or beyond the target, *within tolerance* short of it by no more than the
tolerance, else *missed*, in the KPI's direction (lower is better: at or under the
target is met). A period without a value is *no data*, never 0 and never a miss; a
period in progress is not on the board (a month is not a result until it is over, and a
reported actual arrives after it closes).

The latest value is the latest complete period with a value, and says which; the misses
in a row are counted back from it. The whole board costs a constant number of queries,
whatever the number of vendors, KPIs and periods: the contracts, their KPIs, every actual
in one query, one per computed measure (and period kind) in use, and the review notes.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum

from django.db.models import Prefetch, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from portal.charts import trend_chart
from portal.measures import compute
from portal.organisation.scoping import Scope
from portal.periods import Measure, Period, last_periods, period_of, today

from .models import Contract, Direction, Kpi, KpiActual, ReviewNote, Unit
from .periods import Period as Kind
from .periods import period_label

#: Periods on the board: a year of months, or twelve weeks.
PERIODS_SHOWN = 12


class Status(StrEnum):
    MET = "met"
    WITHIN = "within"
    MISSED = "missed"
    NO_DATA = "no_data"

    @property
    def label(self) -> str:
        return str(STATUS_LABELS[self])


STATUS_LABELS = {
    Status.MET: gettext_lazy("Met"),
    Status.WITHIN: gettext_lazy("Within tolerance"),
    Status.MISSED: gettext_lazy("Missed"),
    Status.NO_DATA: gettext_lazy("No data"),
}


def status_of(kpi: Kpi, value: Decimal | None) -> Status:
    """Where ``value`` stands against ``kpi``'s target, in its direction."""
    if value is None:
        return Status.NO_DATA
    if kpi.direction == Direction.LOWER:
        if value <= kpi.target:
            return Status.MET
        return Status.WITHIN if value <= kpi.target + kpi.tolerance else Status.MISSED
    if value >= kpi.target:
        return Status.MET
    return Status.WITHIN if value >= kpi.target - kpi.tolerance else Status.MISSED


# --- formatting -------------------------------------------------------------------------


def _trimmed(value: Decimal, places: int) -> str:
    text = f"{value:,.{places}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def format_value(value: Decimal | None, unit: str) -> str:
    """A KPI's figure as people read it: 92.5%, 5:12 (minutes and seconds), 4.5분,
    4.52 (a score), 12,345 (a count); "—" for no data."""
    if value is None:
        return "—"
    if unit == Unit.PERCENT:
        # As stored, to the hundredth when it has one: 89.96% must not read as its 90.0%
        # target beside a miss.
        text = f"{value:,.2f}"
        return (text[:-1] if text.endswith("0") else text) + "%"
    if unit == Unit.SECONDS:
        seconds = int(value.quantize(Decimal("1")))
        return f"{seconds // 60}:{seconds % 60:02d}"
    if unit == Unit.MINUTES:
        return _("%(value)s min") % {"value": _trimmed(value, 2)}
    if unit == Unit.SCORE:
        return f"{value:,.2f}"
    return _trimmed(value, 2)


def format_tolerance(kpi: Kpi) -> str:
    """The band within which a miss is tolerated: ±2.0%p, ±0:30, ±0.2."""
    if not kpi.tolerance:
        return ""
    if kpi.unit == Unit.PERCENT:
        return f"±{kpi.tolerance:,.1f}%p"
    return f"±{format_value(kpi.tolerance, kpi.unit)}"


def format_target(kpi: Kpi) -> str:
    sign = "≤" if kpi.direction == Direction.LOWER else "≥"
    return f"{sign} {format_value(kpi.target, kpi.unit)}"


# --- the board --------------------------------------------------------------------------


@dataclass
class Point:
    """One KPI in one period."""

    period: Period
    label: str
    value: Decimal | None
    status: Status
    #: The portal's own count, for a computed KPI (47 / 50); None for a reported one.
    measure: Measure | None = None
    display: str = "—"

    @property
    def counted(self) -> str:
        return str(self.measure) if self.measure is not None and self.measure.denominator else ""


@dataclass
class KpiLine:
    kpi: Kpi
    points: list[Point]
    latest: Point | None
    missed_in_a_row: int
    target: str
    tolerance: str
    chart: dict

    @property
    def status(self) -> Status:
        return self.latest.status if self.latest else Status.NO_DATA

    @property
    def computed(self) -> bool:
        return bool(self.kpi.measure)

    @property
    def missed_text(self) -> str:
        """ "2개월 연속 미달": the misses in a row, in the KPI's periods."""
        count = self.missed_in_a_row
        if self.kpi.period == Kind.WEEK:
            return ngettext("%(count)d week in a row", "%(count)d weeks in a row", count) % {
                "count": count
            }
        return ngettext("%(count)d month in a row", "%(count)d months in a row", count) % {
            "count": count
        }


@dataclass
class MonthRow:
    """One month of a vendor's monthly KPIs, with the review notes kept with it."""

    period: Period
    label: str
    points: list[Point | None]
    notes: list[ReviewNote]


@dataclass
class VendorBoard:
    vendor: object
    contract: Contract
    lines: list[KpiLine] = field(default_factory=list)
    months: list[MonthRow] = field(default_factory=list)
    #: The monthly KPIs, the columns of ``months``.
    monthly: list[Kpi] = field(default_factory=list)

    def line(self, code: str) -> KpiLine | None:
        return next((line for line in self.lines if line.kpi.code == code), None)

    @property
    def missed(self) -> int:
        return sum(1 for line in self.lines if line.status is Status.MISSED)

    @property
    def has_notes(self) -> bool:
        return any(row.notes for row in self.months)

    @property
    def review_months(self) -> list[Period]:
        """The months a note may be written for: those on the board, the latest first."""
        return [row.period for row in self.months]


@dataclass
class Board:
    vendors: list[VendorBoard]
    #: The matrix's columns: every KPI code on the board, with the name it is known by.
    columns: list[tuple[str, str]]

    @property
    def matrix(self) -> list[tuple[VendorBoard, list[KpiLine | None]]]:
        return [
            (board, [board.line(code) for code, _name in self.columns]) for board in self.vendors
        ]


def complete_periods(unit: str, day: date) -> list[Period]:
    """The last ``PERIODS_SHOWN`` weeks or months that are over on ``day``, oldest first."""
    return last_periods(PERIODS_SHOWN, unit, until=period_of(day, unit).start - timedelta(days=1))


def build_board(scope: Scope, *, vendor_id: int | None = None, day: date | None = None) -> Board:
    """The board of every vendor ``scope`` sees (or of ``vendor_id`` among them), for
    their contracts in force on ``day`` (today)."""
    day = day or today()
    periods = {unit: complete_periods(unit, day) for unit in (Kind.WEEK, Kind.MONTH)}
    in_force = Q(starts_on__lte=day) & (Q(ends_on__isnull=True) | Q(ends_on__gte=day))
    contracts = (
        Contract.objects.for_scope(scope)
        .filter(in_force)
        .select_related("vendor")
        .prefetch_related(
            Prefetch(
                "kpis",
                queryset=Kpi.objects.for_scope(scope)
                .filter(active=True)
                .order_by("sort_order", "pk"),
                to_attr="active_kpis",
            )
        )
        .order_by("vendor__name", "vendor_id", "-starts_on", "-pk")
    )
    if vendor_id is not None:
        contracts = contracts.filter(vendor_id=vendor_id)
    # A vendor's latest contract in force, when two overlap (a renewal signed early).
    chosen: dict[int, Contract] = {}
    for contract in contracts:
        chosen.setdefault(contract.vendor_id, contract)
    kpis = [kpi for contract in chosen.values() for kpi in contract.active_kpis]

    values = _reported(scope, [kpi for kpi in kpis if kpi.is_reported], periods)
    measures = _computed([kpi for kpi in kpis if not kpi.is_reported], periods)
    months = periods[Kind.MONTH]
    notes = _notes(scope, [contract.pk for contract in chosen.values()], months[0].start)

    boards, columns = [], {}
    for contract in chosen.values():
        board = VendorBoard(vendor=contract.vendor, contract=contract)
        for kpi in contract.active_kpis:
            columns.setdefault(kpi.code, kpi.name)
            board.lines.append(_line(kpi, periods[kpi.period], values, measures))
        board.monthly = [line.kpi for line in board.lines if line.kpi.period == Kind.MONTH]
        monthly_lines = [line for line in board.lines if line.kpi.period == Kind.MONTH]
        for index, month in reversed(list(enumerate(months))):
            board.months.append(
                MonthRow(
                    period=month,
                    label=period_label(month.start, Kind.MONTH),
                    points=[line.points[index] for line in monthly_lines],
                    notes=notes.get((contract.pk, month.start), []),
                )
            )
        boards.append(board)
    return Board(vendors=boards, columns=list(columns.items()))


def _reported(scope, kpis, periods) -> dict[tuple[int, date], Decimal]:
    """(KPI id, period start) → actual, in one query."""
    if not kpis:
        return {}
    since = min(periods[unit][0].start for unit in periods)
    rows = (
        KpiActual.objects.for_scope(scope)
        .filter(kpi_id__in=[kpi.pk for kpi in kpis], period_start__gte=since)
        .values_list("kpi_id", "period_start", "value")
    )
    return {(kpi_id, start): value for kpi_id, start, value in rows}


def _computed(kpis, periods) -> dict[tuple[str, str], dict]:
    """(measure key, period kind) → the measure of each vendor in each period: one
    computation per key and kind in use, for every vendor using it."""
    vendors: dict[tuple[str, str], set[int]] = defaultdict(set)
    for kpi in kpis:
        vendors[(kpi.measure, kpi.period)].add(kpi.contract.vendor_id)
    # The vendors are the viewer's: the contracts were read in their scope.
    return {
        (key, unit): compute(key, sorted(vendor_ids), periods[unit])
        for (key, unit), vendor_ids in vendors.items()
    }


def _notes(scope, contract_ids, since) -> dict[tuple[int, date], list[ReviewNote]]:
    if not contract_ids:
        return {}
    notes = defaultdict(list)
    for note in (
        ReviewNote.objects.for_scope(scope)
        .filter(contract_id__in=contract_ids, period_start__gte=since)
        .select_related("author")
        .order_by("period_start", "created_at", "pk")
    ):
        notes[(note.contract_id, note.period_start)].append(note)
    return notes


def _line(kpi: Kpi, periods: list[Period], values, measures) -> KpiLine:
    points = []
    for period in periods:
        measure = None
        if kpi.is_reported:
            value = values.get((kpi.pk, period.start))
        elif not kpi.contract.covers_period(period.start, kpi.period):
            # The vendor's figure before the contract: not this contract's to judge.
            value = None
        else:
            found = measures[(kpi.measure, kpi.period)]
            measure = found.get((kpi.contract.vendor_id, period.start))
            value = measure.percent if measure is not None else None
        points.append(
            Point(
                period=period,
                label=period_label(period.start, kpi.period),
                value=value,
                status=status_of(kpi, value),
                measure=measure,
                display=format_value(value, kpi.unit),
            )
        )
    with_value = [point for point in points if point.value is not None]
    latest = with_value[-1] if with_value else None
    # Counted back from the latest, period by period: a period without data ends the run.
    missed = 0
    if latest is not None:
        for point in reversed(points[: points.index(latest) + 1]):
            if point.status is not Status.MISSED:
                break
            missed += 1
    chart = trend_chart(
        [
            (
                f"{point.label} {point.display} · {point.status.label}",
                _float(point.value),
                point.status.value,
            )
            for point in points
        ],
        target=float(kpi.target),
    )
    return KpiLine(
        kpi=kpi,
        points=points,
        latest=latest,
        missed_in_a_row=missed,
        target=format_target(kpi),
        tolerance=format_tolerance(kpi),
        chart=chart,
    )


def _float(value: Decimal | None) -> float | None:
    return float(value) if value is not None else None
