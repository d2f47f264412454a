"""Turning an uploaded file into a header and numbered rows of cell values.

Korean Excel saves CSV as CP949 (a superset of EUC-KR) unless told otherwise, and
UTF-8 files may or may not start with a byte-order mark; all three are accepted.
"""

import csv
import io
import zipfile
from dataclasses import dataclass

from django.utils.translation import gettext as _

XLSX_MAGIC = b"PK\x03\x04"


class UnreadableFile(ValueError):
    """The file as a whole cannot be read; the message says why, for the person uploading."""


@dataclass
class Table:
    header: list[str]
    #: (row number as the spreadsheet shows it, cell values)
    rows: list[tuple[int, list]]


def read_table(data: bytes, filename: str = "") -> Table:
    if not data or not data.strip():
        raise UnreadableFile(_("The file is empty."))
    name = filename.lower()
    if data.startswith(XLSX_MAGIC) or name.endswith((".xlsx", ".xlsm")):
        return _read_xlsx(data)
    if name.endswith(".xls"):
        raise UnreadableFile(
            _("Old Excel files (.xls) cannot be read: save the file as .xlsx or CSV.")
        )
    return _read_csv(decode_text(data))


def decode_text(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp949")
    except UnicodeDecodeError as exc:
        raise UnreadableFile(
            _("The file is neither UTF-8 nor CP949/EUC-KR text; save it as CSV UTF-8 or XLSX.")
        ) from exc


def _read_csv(text: str) -> Table:
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if first_line.count("\t") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        records = list(reader)
    except csv.Error as exc:
        raise UnreadableFile(_("The CSV file is malformed: %(error)s") % {"error": exc}) from exc
    return _table_from_records(records)


def _read_xlsx(data: bytes) -> Table:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise UnreadableFile(_("The file is not a readable XLSX workbook.")) from exc
    try:
        sheet = workbook.worksheets[0]
        records = [list(row) for row in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()
    return _table_from_records(records)


def _table_from_records(records: list[list]) -> Table:
    numbered = [
        (number, values)
        for number, values in enumerate(records, start=1)
        if any(value not in (None, "") and str(value).strip() for value in values)
    ]
    if not numbered:
        raise UnreadableFile(_("The file is empty."))
    (_header_number, header), *rows = numbered
    return Table(header=[str(cell or "").strip() for cell in header], rows=rows)
