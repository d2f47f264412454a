"""Turning an uploaded file into a header and numbered rows of cell values, within limits:
the one reader of every import (the roster, KPI actuals).

Korean Excel saves CSV as CP949 (a superset of EUC-KR) unless told otherwise, UTF-8
files may or may not start with a byte-order mark, and "Unicode text" is UTF-16 with
one; all are accepted.

A file comes from outside, so its limits are enforced while it is read, never
after: reading stops at the first row past ``MAX_ROWS``, and an XLSX is judged by its
zip directory and measured by ``workbook`` before a single cell is parsed. A file that
breaks a limit is refused in a fraction of the time a full read would take.
"""

import csv
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext as _

#: Rows in one file (a roster's agents, a year of KPI actuals): more is a mistake, or an
#: attack.
MAX_ROWS = 50_000
#: Rows as the spreadsheet numbers them, blank ones included; blank rows cost time too.
MAX_SHEET_ROWS = 2 * MAX_ROWS
#: An import knows up to eight columns; room for a vendor's own extra ones.
MAX_COLUMNS = 100
#: What the upload form accepts, and the command too.
MAX_FILE_BYTES = 20 * 1024 * 1024

XLSX_MAGIC = b"PK\x03\x04"
UTF8_BOM = b"\xef\xbb\xbf"
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


class UnreadableFile(ValueError):
    """The file cannot be read; the message says why, for the person uploading.

    ``row`` is the row where reading failed, as the spreadsheet numbers it, when known.
    """

    def __init__(self, message: str, row: int = 0):
        super().__init__(message)
        self.row = row


@dataclass
class Table:
    header: list[str]
    #: (row number as the spreadsheet shows it, cell values)
    rows: list[tuple[int, list]]


def too_many_rows() -> UnreadableFile:
    return UnreadableFile(_("The file has more than %(max)d rows; split it.") % {"max": MAX_ROWS})


def too_many_columns() -> UnreadableFile:
    return UnreadableFile(
        _("The file has more than %(max)d columns; keep only the columns the import reads.")
        % {"max": MAX_COLUMNS}
    )


def read_table(data: bytes, filename: str = "") -> Table:
    if len(data) > MAX_FILE_BYTES:
        raise UnreadableFile(_("The file is larger than 20 MB."))
    if not data.strip():
        raise UnreadableFile(_("The file is empty."))
    name = filename.lower()
    if data.startswith(XLSX_MAGIC) or name.endswith((".xlsx", ".xlsm")):
        from .workbook import xlsx_records  # workbook imports this module

        with xlsx_records(data) as records:
            return collect(records)
    if name.endswith(".xls"):
        raise UnreadableFile(
            _("Old Excel files (.xls) cannot be read: save the file as .xlsx or CSV.")
        )
    return collect(_csv_records(decode_text(data)))


def decode_text(data: bytes) -> str:
    if data.startswith(UTF16_BOMS):
        return _decode_as_announced(data, "utf-16")
    if data.startswith(UTF8_BOM):
        # The mark holds no line break, so rows counted after it are the file's rows.
        return _decode_as_announced(data[len(UTF8_BOM) :], "utf-8")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as as_utf8:
        try:
            return data.decode("cp949")
        except UnicodeDecodeError as as_cp949:
            # The encoding that read further is the one the file was meant to be in, so
            # its first bad byte is the row to look at.
            offset = max(as_utf8.start, as_cp949.start)
            raise UnreadableFile(
                _("The file is neither UTF-8 nor CP949/EUC-KR text; save it as CSV UTF-8 or XLSX."),
                row=_row_of(data, offset),
            ) from None


def _decode_as_announced(data: bytes, encoding: str) -> str:
    """Text in the encoding its byte-order mark announces; a bad byte names its row."""
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise UnreadableFile(
            _(
                "The file says it is %(encoding)s text but is not; "
                "save it again as CSV UTF-8 or XLSX."
            )
            % {"encoding": encoding.upper()},
            # In UTF-16 a line break is two bytes; only UTF-8 rows are counted.
            row=_row_of(data, exc.start) if encoding == "utf-8" else 0,
        ) from None


def _row_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def _csv_records(text: str) -> Iterator[list]:
    end = text.find("\n")
    first_line = text if end < 0 else text[:end]
    delimiter = "\t" if first_line.count("\t") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        yield from reader
    except csv.Error as exc:
        raise UnreadableFile(
            _("The CSV file is malformed: %(error)s") % {"error": exc}, row=reader.line_num
        ) from exc


def collect(records: Iterable[list]) -> Table:
    """Number the rows, skip blank ones, and stop at the first row past a limit."""
    numbered = []
    for number, values in enumerate(records, start=1):
        if number > MAX_SHEET_ROWS:
            raise too_many_rows()
        if len(values) > MAX_COLUMNS:
            raise too_many_columns()
        if not any(value not in (None, "") and str(value).strip() for value in values):
            continue
        if any(isinstance(value, str) and "\x00" in value for value in values):
            raise UnreadableFile(
                _(
                    "This row holds a NUL character, which text never does: save the file "
                    "as CSV UTF-8 or XLSX."
                ),
                row=number,
            )
        numbered.append((number, values))
        # The header and MAX_ROWS rows; one more row is enough to refuse.
        if len(numbered) > MAX_ROWS + 1:
            raise too_many_rows()
    if not numbered:
        raise UnreadableFile(_("The file is empty."))
    (_header_number, header), *rows = numbered
    return Table(header=[str(cell or "").strip() for cell in header], rows=rows)


def match_columns(
    header: list[str], aliases: dict[str, set[str]], required, labels: dict
) -> tuple[dict[str, int], list[str]]:
    """Each known column's index in ``header`` (its title one of the column's
    ``aliases``, matched by ``header_key``), and what is wrong with the header, as
    messages naming columns by their ``labels``."""
    by_key = {key: column for column, keys in aliases.items() for key in keys}
    positions: dict[str, int] = {}
    problems = []
    for index, title in enumerate(header):
        column = by_key.get(header_key(title))
        if column is None:
            continue
        if column in positions:
            problems.append(
                _("The column “%(column)s” appears twice (“%(a)s” and “%(b)s”).")
                % {"column": labels[column], "a": header[positions[column]], "b": title}
            )
            continue
        positions[column] = index
    missing = [str(labels[name]) for name in required if name not in positions]
    if missing:
        problems.append(
            _("Required columns are missing: %(missing)s. The first row must name the columns.")
            % {"missing": ", ".join(missing)}
        )
    return positions, problems


def header_key(header: str) -> str:
    """A column's title as files made by hand write it, matched loosely: case, spaces,
    '-', '_', '.' and brackets ignored, so Korean Excel files import without renaming."""
    return re.sub(r"[\s_\-.()]+", "", header.replace("\ufeff", "")).lower()


def text(value) -> str:
    """A cell as text: Excel turns codes like 00123 into 123.0, undo the .0."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat()
    return str(value).strip()
