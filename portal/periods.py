"""Periods and the measures counted in them, shared by every app that computes one.

A period is a span of local dates, ``start`` included and ``end`` excluded, in the
portal's time zone (``settings.TIME_ZONE``, Asia/Seoul) whatever the viewer's: a moment
belongs to the period of its local date, so a due date at 23:59 on 31 March is March's
and one at 00:00 on 1 April is April's. Weeks start on Monday; months are calendar months.

A measure is a count of successes over a count of cases (47 / 50), and the percentage
they make; with no cases there is no percentage (no data is not 0 %).

``bucketed`` and ``tabulate`` are how a measure counts every vendor and every period in
one query: the rows of the periods asked for, each annotated with the index of its
period (a CASE over the periods' bounds, the same SQL on SQLite and PostgreSQL), grouped
by vendor and that index.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from itertools import pairwise
from typing import NamedTuple

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone

ONE_PLACE = Decimal("0.1")


class Unit(StrEnum):
    WEEK = "week"
    MONTH = "month"


class Period(NamedTuple):
    """Local dates from ``start`` up to, not including, ``end``."""

    start: date
    end: date

    def __contains__(self, day) -> bool:
        return self.start <= day < self.end

    @property
    def bounds(self) -> tuple[datetime, datetime]:
        """The period's first moment and the next period's first, as aware datetimes."""
        return local_midnight(self.start), local_midnight(self.end)

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)


@dataclass(frozen=True)
class Measure:
    """``numerator`` cases of ``denominator`` went well: what a board shows as 47 / 50."""

    numerator: int
    denominator: int

    @property
    def percent(self) -> Decimal | None:
        """One decimal place, half up (47 / 50 → 94.0); None when there was no case."""
        if not self.denominator:
            return None
        exact = Decimal(100 * self.numerator) / Decimal(self.denominator)
        return exact.quantize(ONE_PLACE, rounding=ROUND_HALF_UP)

    def __str__(self) -> str:
        return f"{self.numerator} / {self.denominator}"


NO_DATA = Measure(0, 0)

#: What a measure answers: (vendor id, the period's start) → its measure.
Measures = dict[tuple[int, date], Measure]


def local_midnight(day: date) -> datetime:
    """The first moment of ``day`` in the portal's time zone."""
    return datetime.combine(day, time.min, tzinfo=timezone.get_default_timezone())


def local_date(moment: datetime) -> date:
    """The date of ``moment`` in the portal's time zone."""
    return timezone.localtime(moment, timezone.get_default_timezone()).date()


def today() -> date:
    return local_date(timezone.now())


def week_of(day: date) -> Period:
    """The Monday-to-Sunday week containing ``day``."""
    start = day - timedelta(days=day.weekday())
    return Period(start, start + timedelta(days=7))


def month_of(day: date) -> Period:
    """The calendar month containing ``day``."""
    start = day.replace(day=1)
    return Period(start, _next_month(start))


def _next_month(first: date) -> date:
    return date(first.year + first.month // 12, first.month % 12 + 1, 1)


def period_of(day: date, unit: Unit | str) -> Period:
    """The week or month containing ``day``."""
    return week_of(day) if Unit(unit) is Unit.WEEK else month_of(day)


def last_periods(count: int, unit: Unit | str, *, until: date | None = None) -> list[Period]:
    """The ``count`` weeks or months up to and including the one containing ``until``
    (today by default), oldest first: what a board's columns show."""
    current = period_of(until or today(), unit)
    periods = [current]
    while len(periods) < count:
        periods.append(period_of(periods[-1].start - timedelta(days=1), unit))
    return periods[:count][::-1]


def check_periods(periods: Sequence[Period]) -> None:
    """Periods a measure counts in must be proper spans and must not overlap: a row is
    counted in one period only."""
    ordered = sorted(periods)
    for period in ordered:
        if not period.start < period.end:
            raise ValueError(f"{period} ends before it starts.")
    for earlier, later in pairwise(ordered):
        if later.start < earlier.end:
            raise ValueError(f"{earlier} and {later} overlap.")


def bucketed(rows: QuerySet, field: str, periods: Sequence[Period], *, dates=False) -> QuerySet:
    """``rows`` whose ``field`` falls in one of ``periods``, each annotated with
    ``period``: the index of its period in ``periods``.

    ``field`` is a moment (compared with the periods' local bounds, so the database's own
    time zone handling plays no part) or, with ``dates=True``, a date. Overlapping
    periods are refused (``check_periods``).
    """
    check_periods(periods)

    def span(period: Period) -> Q:
        start, end = (period.start, period.end) if dates else period.bounds
        return Q(**{f"{field}__gte": start, f"{field}__lt": end})

    spans = [span(period) for period in periods]
    within = Q()
    for each in spans:
        within |= each
    index = Case(
        *(When(each, then=Value(number)) for number, each in enumerate(spans)),
        output_field=IntegerField(),
    )
    return rows.filter(within).annotate(period=index)


def tabulate(
    rows: Iterable[dict],
    vendor_ids: Iterable[int],
    periods: Sequence[Period],
    *,
    vendor: str = "vendor_id",
) -> Measures:
    """Every (vendor, period start) asked for, with the ``numerator`` and ``denominator``
    of its row in ``rows`` (grouped by ``vendor`` and ``period``), or ``NO_DATA``."""
    found = {
        (row[vendor], periods[row["period"]].start): Measure(
            int(row["numerator"] or 0), int(row["denominator"] or 0)
        )
        for row in rows
    }
    return {
        (vendor_id, period.start): found.get((vendor_id, period.start), NO_DATA)
        for vendor_id in vendor_ids
        for period in periods
    }
