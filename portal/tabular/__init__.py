"""Tables managers download: the same header and rows as CSV (UTF-8 with a BOM, so Excel
reads Korean) or XLSX (openpyxl, write-only).

Every export goes through ``respond``, and every text cell through ``inert``: a roster
name or a browser string such as ``=HYPERLINK(...)`` must reach a client manager's
spreadsheet as text, never as a formula (OWASP's CSV-injection guidance).
"""

import csv
import io
from operator import attrgetter

from django.http import HttpResponse, StreamingHttpResponse
from django.urls import register_converter
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

#: A text cell starting with one of these is read as a formula (or DDE) by spreadsheets.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def inert(value):
    """``value`` as a spreadsheet shows it literally: text that a spreadsheet would run
    gets a leading apostrophe; numbers, dates and safe text are left as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


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
    for row in (header, *rows):
        sheet.append([_xlsx_cell(sheet, value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _xlsx_cell(sheet, value):
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
    yield "\ufeff" + writer.writerow([inert(value) for value in header])
    for row in rows:
        yield writer.writerow([inert(value) for value in row])


class ExportFormat:
    """URL converter ``<export:fmt>``: csv or xlsx."""

    regex = "csv|xlsx"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(ExportFormat, "export")
