"""A KPI's period: a week (starting on Monday) or a calendar month, named by its first
day and written as people write it: ``2026-11`` for a month, ``2026-W47`` (ISO week) or
the Monday's date ``2026-11-16`` for a week.

One parser for every path (the admin form, the import, the endpoint), so that the same
words are accepted and refused the same way everywhere. What a week or a month is (its
first and last days) is ``portal.periods``', as for the portal's own measures.
"""

import re
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.periods import period_of


class Period(models.TextChoices):
    WEEK = "week", gettext_lazy("Week")
    MONTH = "month", gettext_lazy("Month")


_MONTH = re.compile(r"^(\d{4})[-./](\d{1,2})\.?$")
_WEEK = re.compile(r"^(\d{4})-?W(\d{1,2})$", re.IGNORECASE)
#: Years an actual may be recorded for: beyond them a typo, and dates near year 1 or
#: 9999 cannot have their week or month's end computed.
YEARS = range(2000, 2101)
_DAY = re.compile(r"^(\d{4})[-./](\d{1,2})[-./](\d{1,2})\.?$")


def is_period_start(day: date, period: str) -> bool:
    return period_of(day, period).start == day


def period_start_error(day: date, period: str) -> str | None:
    """Why ``day`` cannot start a ``period``, or None."""
    if is_period_start(day, period):
        return None
    if period == Period.WEEK:
        return _("a week starts on a Monday; %(day)s is not one") % {"day": day.isoformat()}
    return _("a month starts on the 1st; %(day)s is not") % {"day": day.isoformat()}


def parse_period(value, period: str) -> date:
    """The first day of the ``period`` (week or month) ``value`` names; ValidationError
    saying how to write it otherwise. A spreadsheet's date cell is taken as that date."""
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        day = value
        _check_year(day.year, day.isoformat())
    elif isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        # A cell typed 2026.10 is the number 2026.1: read as text it would be January.
        raise ValidationError(
            _("write the period as text, e.g. 2026-10, not the number %(value)s") % {"value": value}
        )
    else:
        raw = "" if value is None else str(value).strip()
        day = _parse_text(raw, period)
    error = period_start_error(day, period)
    if error:
        raise ValidationError(error)
    return day


def _check_year(year: int, raw: str) -> None:
    if year not in YEARS:
        raise ValidationError(
            _("“%(value)s” is not a year a contract covers (%(first)s to %(last)s)")
            % {"value": raw, "first": YEARS[0], "last": YEARS[-1]}
        )


def _parse_text(raw: str, period: str) -> date:
    if not raw:
        raise ValidationError(_("the period is empty"))
    if match := _WEEK.match(raw) or _DAY.match(raw) or _MONTH.match(raw):
        _check_year(int(match.group(1)), raw)
    if match := _WEEK.match(raw):
        if period == Period.MONTH:
            raise ValidationError(
                _("this KPI is monthly: write the month, e.g. 2026-11, not the week “%(value)s”")
                % {"value": raw}
            )
        year, week = (int(part) for part in match.groups())
        try:
            return date.fromisocalendar(year, week, 1)
        except ValueError:
            raise ValidationError(
                _("“%(value)s” is not a week of that year") % {"value": raw}
            ) from None
    if match := _DAY.match(raw):
        try:
            return date(*(int(part) for part in match.groups()))
        except ValueError:
            raise ValidationError(_("“%(value)s” is not a date") % {"value": raw}) from None
    if match := _MONTH.match(raw):
        if period == Period.WEEK:
            raise ValidationError(
                _(
                    "this KPI is weekly: write the week, e.g. 2026-W47, or its Monday, "
                    "e.g. 2026-11-16, not the month “%(value)s”"
                )
                % {"value": raw}
            )
        year, month = (int(part) for part in match.groups())
        if not 1 <= month <= 12:
            raise ValidationError(_("“%(value)s” is not a month") % {"value": raw})
        return date(year, month, 1)
    if period == Period.WEEK:
        raise ValidationError(
            _("“%(value)s” is not a week; write it as 2026-W47 or its Monday, 2026-11-16")
            % {"value": raw}
        )
    raise ValidationError(_("“%(value)s” is not a month; write it as 2026-11") % {"value": raw})


def period_label(day: date, period: str) -> str:
    """How the period starting on ``day`` is written back: ``2026-11`` or ``2026-W47``."""
    if period == Period.WEEK:
        year, week, _weekday = day.isocalendar()
        return f"{year}-W{week:02d}"
    return f"{day:%Y-%m}"


def period_end(day: date, period: str) -> date:
    """The last day of the period starting on ``day``."""
    return period_of(day, period).last_day


def latest_complete(period: str, today: date) -> date:
    """The start of the last whole week or month before ``today``."""
    return period_of(period_of(today, period).start - timedelta(days=1), period).start
