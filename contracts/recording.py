"""Recording KPI actuals, the one path of every source: client staff's form, an imported
file and the vendor's system (``api``).

Every line is checked before anything is written; one bad line and nothing is, and the
answer lists every bad line with its reason. Then, in one transaction, each actual is
created, updated (another value: it records who and when) or left alone (the same value:
recording a file again changes nothing).
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, OperationalError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.organisation.models import Vendor
from portal.periods import local_date
from portal.tabular.reading import text
from portal.text import has_control_characters

from .models import Kpi, KpiActual, Unit
from .periods import parse_period, period_label

#: Actuals are kept to the hundredth (92.35 %, 41.5 seconds).
PLACES = Decimal("0.01")
#: Larger than any KPI's figure, within the column (12 digits, 2 of them decimals).
MAX_VALUE = Decimal("9999999999.99")
NOTE_MAX_LENGTH = KpiActual._meta.get_field("note").max_length
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
_GROUPED = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d*)?$")


@dataclass(frozen=True)
class Line:
    """One actual as it came: a file's row, a form's field, an item the system pushed."""

    row: int  # the spreadsheet's row number, or the item's position (from 1)
    kpi: object
    period: object
    value: object
    vendor: object = None  # a vendor code; None when the caller names the vendor
    note: object = ""


@dataclass(frozen=True)
class LineError:
    row: int  # 0 for the whole file or request
    message: str


@dataclass
class Outcome:
    errors: list[LineError] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def rows(self) -> int:
        return self.created + self.updated + self.unchanged


@dataclass(frozen=True)
class _Checked:
    row: int
    kpi: Kpi
    period_start: object
    value: Decimal
    note: str


def record_actuals(
    lines: Iterable[Line], *, source: str, user=None, vendor: Vendor | None = None
) -> Outcome:
    """Check every line, then record them all or none.

    ``vendor``: the lines are that vendor's (a token's, a contract's); otherwise each
    line names its vendor by code. The caller has checked that whoever acts may record
    for the vendors concerned (client staff, or the vendor's own token).
    """
    lines = list(lines)
    kpis = _kpis_by_vendor_and_code(lines, vendor)
    vendors = _vendors_by_code(lines) if vendor is None else {}
    today = local_date(timezone.now())
    errors, checked, seen = [], [], {}
    for line in lines:
        try:
            item = _check(line, vendor, vendors, kpis, today)
        except ValidationError as exc:
            errors.append(LineError(line.row, " ".join(exc.messages)))
            continue
        key = (item.kpi.pk, item.period_start)
        if key in seen:
            errors.append(
                LineError(
                    line.row,
                    _("the same KPI and period as row %(row)d; keep one of them")
                    % {"row": seen[key]},
                )
            )
            continue
        seen[key] = line.row
        checked.append(item)
    if errors:
        return Outcome(errors=errors)
    try:
        return _write(checked, source, user)
    except (IntegrityError, OperationalError):
        # Another recording of the same actuals committed between our read and write (or,
        # on SQLite, held the database past its timeout).
        return Outcome(
            errors=[
                LineError(0, _("Someone recorded the same actuals at that moment; send again."))
            ]
        )


def _vendors_by_code(lines) -> dict[str, Vendor]:
    codes = {text(line.vendor).lower() for line in lines if text(line.vendor)}
    return {
        vendor.code.lower(): vendor
        for vendor in Vendor.objects.unscoped()
        if vendor.code.lower() in codes
    }


def _kpis_by_vendor_and_code(lines, vendor) -> dict[tuple[int, str], list[Kpi]]:
    codes = {text(line.kpi).lower() for line in lines if not isinstance(line.kpi, Kpi)}
    codes.discard("")
    kpis = Kpi.objects.unscoped().select_related("contract")
    if vendor is not None:
        kpis = kpis.filter(contract__vendor=vendor)
    found: dict[tuple[int, str], list[Kpi]] = {}
    # A vendor's KPIs are a handful per contract: read them, match codes here.
    # The newest contract first: where two are in force at once, the later one counts.
    for kpi in kpis.order_by("-contract__starts_on", "pk"):
        if kpi.code.lower() in codes:
            found.setdefault((kpi.contract.vendor_id, kpi.code.lower()), []).append(kpi)
    return found


def _check(line: Line, vendor, vendors, kpis, today) -> _Checked:
    if vendor is None:
        code = text(line.vendor)
        if not code:
            raise ValidationError(_("the vendor code is empty"))
        vendor = vendors.get(code.lower())
        if vendor is None:
            raise ValidationError(_("unknown vendor “%(code)s”") % {"code": code})
    if isinstance(line.kpi, Kpi):  # client staff's form names the KPI itself
        kpi_code = line.kpi.code
        candidates = [line.kpi] if line.kpi.contract.vendor_id == vendor.pk else []
    else:
        kpi_code = text(line.kpi)
        if not kpi_code:
            raise ValidationError(_("the KPI code is empty"))
        candidates = kpis.get((vendor.pk, kpi_code.lower()), [])
    if not candidates:
        raise ValidationError(
            _("unknown KPI “%(kpi)s” (no contract of %(vendor)s has it)")
            % {"kpi": kpi_code, "vendor": vendor.code}
        )
    kpi, period_start = _kpi_for_period(candidates, line.period, kpi_code)
    if kpi.measure:
        raise ValidationError(
            _("“%(kpi)s” is computed by the portal from its own records; it takes no actuals")
            % {"kpi": kpi_code}
        )
    if not kpi.active:
        raise ValidationError(_("“%(kpi)s” is no longer an active KPI") % {"kpi": kpi_code})
    if period_start > today:
        raise ValidationError(
            _("the period %(period)s has not begun yet")
            % {"period": period_label(period_start, kpi.period)}
        )
    return _Checked(line.row, kpi, period_start, parse_value(line.value, kpi.unit), _note(line))


def _kpi_for_period(candidates: list[Kpi], period, kpi_code: str):
    """The KPI of that code in the contract in force in the period (the newest, if two
    are). A vendor's contracts follow one another, and a KPI keeps its code from one to
    the next."""
    first_error = None
    parsed = None
    for kpi in candidates:
        try:
            start = parse_period(period, kpi.period)
        except ValidationError as exc:
            first_error = first_error or exc
            continue
        parsed = parsed or (kpi, start)
        if kpi.contract.covers_period(start, kpi.period):
            return kpi, start
    if parsed is None:
        raise first_error
    kpi, start = parsed
    raise ValidationError(
        _("no contract in force in %(period)s has the KPI “%(kpi)s”")
        % {"period": period_label(start, kpi.period), "kpi": kpi_code}
    )


def parse_value(value, unit: str) -> Decimal:
    """A figure as a number to the hundredth; a ValidationError says what is wrong."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ValidationError(_("the value is empty"))
    if isinstance(value, bool):
        raise ValidationError(_("the value is not a number"))
    if isinstance(value, int | float | Decimal):
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            raise ValidationError(_("the value is not a number")) from None
    else:
        raw = str(value).strip()
        shown = raw[:40]
        if unit == Unit.PERCENT and raw.endswith("%"):
            raw = raw[:-1].strip()
        if _GROUPED.match(raw):
            raw = raw.replace(",", "")
        if not _NUMBER.match(raw):
            raise ValidationError(_("“%(value)s” is not a number") % {"value": shown})
        number = Decimal(raw)
    if not number.is_finite():
        raise ValidationError(_("the value is not a number"))
    if number < 0:
        raise ValidationError(_("the value cannot be negative"))
    if number > MAX_VALUE:
        raise ValidationError(_("the value is too large"))
    if unit == Unit.PERCENT and number > 100:
        raise ValidationError(_("a percentage cannot be over 100"))
    return number.quantize(PLACES, rounding=ROUND_HALF_UP)


def _note(line: Line) -> str:
    note = text(line.note)
    if len(note) > NOTE_MAX_LENGTH:
        raise ValidationError(
            _("the note is longer than %(max)d characters") % {"max": NOTE_MAX_LENGTH}
        )
    if has_control_characters(note, lines=True):
        raise ValidationError(_("the note holds an invisible control character; retype it"))
    return note


def _write(checked: list[_Checked], source: str, user) -> Outcome:
    outcome = Outcome()
    now = timezone.now()
    with transaction.atomic():
        existing = {
            (actual.kpi_id, actual.period_start): actual
            for actual in KpiActual.objects.unscoped()
            .select_for_update()
            .filter(
                kpi__in={item.kpi.pk for item in checked},
                period_start__in={item.period_start for item in checked},
            )
        }
        new, changed = [], []
        for item in checked:
            actual = existing.get((item.kpi.pk, item.period_start))
            if actual is None:
                new.append(
                    KpiActual(
                        kpi=item.kpi,
                        period_start=item.period_start,
                        value=item.value,
                        source=source,
                        recorded_by=user,
                        recorded_at=now,
                        note=item.note,
                    )
                )
            elif actual.value == item.value and actual.note == item.note:
                outcome.unchanged += 1
            else:
                actual.value, actual.note = item.value, item.note
                actual.source, actual.recorded_by, actual.recorded_at = source, user, now
                changed.append(actual)
        KpiActual.objects.unscoped().bulk_create(new)
        KpiActual.objects.unscoped().bulk_update(
            changed, ["value", "note", "source", "recorded_by", "recorded_at"]
        )
    outcome.created, outcome.updated = len(new), len(changed)
    return outcome
