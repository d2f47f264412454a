"""Tables managers download: the same header and rows as CSV (UTF-8 with a BOM, so Excel
reads Korean) or XLSX (openpyxl, write-only).

Moments and days are given as ``datetime`` and ``date`` values, never as text: XLSX gets
real date cells (sortable, filterable, usable in formulas) and CSV one fixed format, both
in the portal's time zone, which ``local_time_heading`` names in the column's heading.
An XLSX sheet opens with its header frozen, an auto-filter on it and columns as wide as
what they hold.

Every export goes through ``respond``, and every text cell through ``inert``: a roster
name or a browser string such as ``=HYPERLINK(...)`` must reach a client manager's
spreadsheet as text, never as a formula (OWASP's CSV-injection guidance).
"""

import csv
import io
import unicodedata
from datetime import date, datetime
from itertools import islice
from operator import attrgetter

from django.conf import settings
from django.http import HttpResponse, StreamingHttpResponse
from django.urls import register_converter
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

#: A text cell starting with one of these is read as a formula (or DDE) by spreadsheets.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
MOMENT_FORMAT = "%Y-%m-%d %H:%M:%S"
DAY_FORMAT = "%Y-%m-%d"
XLSX_FORMATS = {datetime: "yyyy-mm-dd hh:mm:ss", date: "yyyy-mm-dd"}
#: Column widths are measured on the header and this many rows (the rest are streamed).
WIDTH_SAMPLE_ROWS = 500
MIN_WIDTH, MAX_WIDTH = 8, 60


def inert(value):
    """``value`` as a spreadsheet shows it literally: text that a spreadsheet would run
    gets a leading apostrophe; numbers, dates and safe text are left as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def local_time_heading(label) -> str:
    """A heading for moments in the portal's time zone, saying which zone that is."""
    return _("%(label)s (%(zone)s)") % {"label": label, "zone": settings.TIME_ZONE}


def local_moment(value: datetime | None) -> datetime | None:
    """``value`` in the portal's time zone, without the zone (spreadsheets keep none; the
    heading states it)."""
    if value is None:
        return None
    return timezone.localtime(value).replace(tzinfo=None)


def agent_columns() -> list[str]:
    """The columns that say who an agent is, first in every export about agents."""
    return [_("Employee number"), _("Name"), _("Vendor"), _("Team")]


def agent_cells(agent) -> list:
    """``agent_columns`` of one agent (with its user, vendor and team selected)."""
    return [
        agent.employee_number,
        agent.user.get_full_name(),
        agent.vendor.name,
        agent.team.name if agent.team else "",
    ]


def yes_no(value: bool) -> str:
    return _("yes") if value else _("no")


def agent_table(items, columns, agent=attrgetter("agent")):
    """The header and rows of an export about agents: ``agent_columns`` of each item's
    agent (``agent(item)``), then ``columns``, (heading, cell of an item) pairs."""
    header = [*agent_columns(), *(str(heading) for heading, _cell in columns)]
    rows = [
        [*agent_cells(agent(item)), *(cell(item) for _heading, cell in columns)] for item in items
    ]
    return header, rows


def respond(header, rows, filename: str, fmt: str, sheet_title: str = "export"):
    if fmt == "xlsx":
        response = HttpResponse(
            _xlsx_bytes(header, rows, sheet_title), content_type=CONTENT_TYPES["xlsx"]
        )
    else:
        response = StreamingHttpResponse(
            _csv_lines(header, rows), content_type=CONTENT_TYPES["csv"]
        )
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response


def _xlsx_bytes(header, rows, sheet_title: str) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_title[:31])
    rows = iter(rows)
    # A write-only sheet takes its widths before its first row: measured on a sample.
    sample = list(islice(rows, WIDTH_SAMPLE_ROWS))
    for number, width in enumerate(column_widths(header, sample), start=1):
        sheet.column_dimensions[get_column_letter(number)].width = width
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    heading_cells = []
    for heading in header:
        cell = _xlsx_cell(sheet, str(heading))
        cell.font = bold
        heading_cells.append(cell)
    sheet.append(heading_cells)
    count = 0
    for row in _chain(sample, rows):
        sheet.append([_xlsx_cell(sheet, value) for value in row])
        count += 1
    if header:
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(header))}{count + 1}"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _chain(sample, rows):
    yield from sample
    yield from rows


def column_widths(header, sample) -> list[int]:
    """Widths (in characters; Hangul counts two) that fit each column's header and the
    sampled cells, within ``MIN_WIDTH`` and ``MAX_WIDTH``."""
    widths = [_display_width(str(heading)) for heading in header]
    for row in sample:
        for index, value in enumerate(row[: len(widths)]):
            widths[index] = max(widths[index], _display_width(str(_csv_text(value))))
    return [min(MAX_WIDTH, max(MIN_WIDTH, width + 2)) for width in widths]


def _display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _xlsx_cell(sheet, value):
    if isinstance(value, datetime):
        value = local_moment(value) if timezone.is_aware(value) else value
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = XLSX_FORMATS[datetime]
        return cell
    if isinstance(value, date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = XLSX_FORMATS[date]
        return cell
    if not isinstance(value, str):
        return value
    return inert_cell(WriteOnlyCell(sheet, value=printable(value)))


def printable(text: str) -> str:
    """Control characters have no place in a worksheet (openpyxl refuses them); a name
    typed with one is still exported, without it."""
    return ILLEGAL_CHARACTERS_RE.sub("", text)


def inert_cell(cell):
    """An XLSX cell whose text would run as a formula: a string cell, never a formula,
    with Excel's own quote prefix (shown as nothing, kept when the cell is edited)
    rather than a visible apostrophe."""
    if isinstance(cell.value, str) and cell.value.startswith(FORMULA_TRIGGERS):
        cell.data_type = "s"
        cell.quotePrefix = True
    return cell


class InertSpreadsheetExportMixin:
    """Wagtail's spreadsheet export (reports, listings) with user text made inert, as
    every other export of the portal: ``inert`` in CSV, ``inert_cell`` in XLSX."""

    def preprocess_field_value(self, field, value, export_format):
        value = super().preprocess_field_value(field, value, export_format)
        if not isinstance(value, str):
            return value
        return inert(value) if export_format == self.FORMAT_CSV else printable(value)

    def generate_xlsx_row(self, worksheet, row_dict, date_format=None):
        for cell in super().generate_xlsx_row(worksheet, row_dict, date_format=date_format):
            yield inert_cell(cell)


class _Echo:
    def write(self, value):
        return value


def _csv_lines(header, rows):
    writer = csv.writer(_Echo())
    # A BOM so that Excel opens Korean text as UTF-8.
    yield "\ufeff" + writer.writerow([inert(str(value)) for value in header])
    for row in rows:
        yield writer.writerow([inert(_csv_text(value)) for value in row])


def _csv_text(value):
    """A moment or a day in the one format CSV cells use; other values as they are."""
    if isinstance(value, datetime):
        return (local_moment(value) if timezone.is_aware(value) else value).strftime(MOMENT_FORMAT)
    if isinstance(value, date):
        return value.strftime(DAY_FORMAT)
    if value is None:
        return ""
    return value


class ExportFormat:
    """URL converter ``<export:fmt>``: csv or xlsx."""

    regex = "csv|xlsx"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(ExportFormat, "export")
