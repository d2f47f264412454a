"""Reading an uploaded XLSX (a roster, KPI actuals) without trusting it.

An XLSX is a zip of XML parts. openpyxl streams a sheet's rows in read-only mode, but it
unpacks the shared strings and styles whole, builds each row whole, and, to size a sheet
that does not declare its dimension, parses all of it while opening the workbook. So a
small upload can still cost minutes and gigabytes: a "zip bomb" part, a million rows, a
row numbered 1,000,000,000, or one row of a million cells. Before openpyxl opens the
file:

1. the zip directory is judged: few parts, each within its unpacked size, and none
   compressed more than ``MAX_RATIO`` to 1 (Apache POI's threshold; real workbooks are
   5 to 30 to 1). ``zipfile`` never unpacks more than the size the directory declares
   (a part that lies fails its CRC), so these figures bound everything that follows;
2. every XML part is measured by expat, which builds nothing: a declared dimension past
   the limits is refused at once, and the count stops at the first row, column or cell
   past them.

Only then does openpyxl read the cells, still streaming, and ``reading.collect`` still
stops at the first row past ``MAX_ROWS``.
"""

import io
import struct
import warnings
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from xml.parsers import expat

from django.utils.translation import gettext as _

from .reading import (
    MAX_COLUMNS,
    MAX_ROWS,
    MAX_SHEET_ROWS,
    UnreadableFile,
    too_many_columns,
    too_many_rows,
)

MAX_PARTS = 1_000
MB = 1024 * 1024
#: A sheet is streamed; 50,000 rows of eight columns take about 25 MB.
MAX_SHEET_BYTES = 100 * MB
#: Other parts are read whole. A roster's shared strings (names, addresses) take a few
#: MB; styles become an object each, 4 MB of them about a second and 40 MB of memory.
MAX_PART_BYTES = {"xl/sharedStrings.xml": 16 * MB, "xl/styles.xml": 4 * MB}
MAX_OTHER_PART_BYTES = 32 * MB
MAX_WORKBOOK_BYTES = 200 * MB
MAX_RATIO = 100
#: Small parts may compress well without costing anything.
RATIO_FROM_BYTES = 1 * MB
#: Eight columns for MAX_ROWS agents, with room for styled empty cells.
MAX_CELLS = 20 * MAX_ROWS

_END_OF_DIRECTORY = b"PK\x05\x06"
_SHEET_PARTS = "xl/worksheets/"
# What openpyxl and zipfile raise on a damaged or hostile workbook.
_READ_ERRORS = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    OSError,
    KeyError,
    IndexError,
    ValueError,
    TypeError,
    AttributeError,
    SyntaxError,  # xml.etree's ParseError
    expat.ExpatError,
    NotImplementedError,  # a compression method zipfile lacks
    RuntimeError,  # an encrypted part
)


def not_a_workbook() -> UnreadableFile:
    return UnreadableFile(_("The file is not a readable XLSX workbook."))


@contextmanager
def xlsx_records(data: bytes) -> Iterator[Iterator[list]]:
    """The first sheet's rows as lists of values, once the workbook has passed its checks."""
    from openpyxl import load_workbook  # lazy: 0.25 s to import, paid only by uploads

    archive = _checked_archive(data)
    workbook = None
    try:
        # Every XML part, whatever its name: openpyxl sizes each sheet while opening.
        for part in archive.namelist():
            if _is_xml(archive, part):
                _measure(archive, part)
        with warnings.catch_warnings():
            # openpyxl warns about styles and extensions it ignores; nothing for an import.
            warnings.simplefilter("ignore")
            workbook = load_workbook(
                io.BytesIO(data), read_only=True, data_only=True, keep_links=False
            )
        sheet = workbook.worksheets[0]
        # A declared dimension may understate the sheet, and openpyxl would stop there.
        sheet.reset_dimensions()
        yield _rows(sheet)
    except UnreadableFile:
        raise
    except _READ_ERRORS as exc:
        raise not_a_workbook() from exc
    finally:
        if workbook is not None:
            workbook.close()
        archive.close()


def _rows(sheet) -> Iterator[list]:
    try:
        for cells in sheet.iter_rows():
            yield [_shown(cell) for cell in cells]
    except _READ_ERRORS as exc:
        raise not_a_workbook() from exc


def _shown(cell):
    """A cell's value; a percentage as it is shown: a cell showing 92.5% holds 0.925,
    which read as a number would be a hundred times too small."""
    value = cell.value
    if (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and "%" in (getattr(cell, "number_format", None) or "")
    ):
        return f"{(Decimal(str(value)) * 100).normalize():f}%"
    return value


def _checked_archive(data: bytes) -> zipfile.ZipFile:
    """The workbook's zip, once its directory promises nothing absurd."""
    if _declared_parts(data) > MAX_PARTS:
        raise not_a_workbook()
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise not_a_workbook() from exc
    try:
        _check_sizes(archive.infolist())
    except UnreadableFile:
        archive.close()
        raise
    return archive


def _declared_parts(data: bytes) -> int:
    """How many parts the zip's last record announces.

    Read before ``zipfile`` builds an entry for each of them, which for a few hundred
    thousand tiny parts would be the costly step.
    """
    at = data.rfind(_END_OF_DIRECTORY, max(0, len(data) - 22 - 0xFFFF))
    if at < 0 or at + 22 > len(data):
        return 0  # not a zip: zipfile says so
    # 0xFFFF means "see the ZIP64 record": far more parts than a workbook has anyway.
    return struct.unpack_from("<H", data, at + 10)[0]


def _check_sizes(parts: list[zipfile.ZipInfo]) -> None:
    total = 0
    for part in parts:
        limit = _limit_for(part.filename)
        if part.file_size > limit:
            raise too_large(limit)
        total += part.file_size
        if part.file_size > RATIO_FROM_BYTES and (
            part.file_size > MAX_RATIO * max(part.compress_size, 1)
        ):
            raise UnreadableFile(
                _(
                    "The workbook unpacks to more than %(ratio)d times its size, as a "
                    "“zip bomb” does, so it was not read. Save it again from Excel, or as CSV."
                )
                % {"ratio": MAX_RATIO}
            )
    if total > MAX_WORKBOOK_BYTES:
        raise too_large(MAX_WORKBOOK_BYTES)


def _limit_for(name: str) -> int:
    if name.startswith(_SHEET_PARTS):
        return MAX_SHEET_BYTES
    return MAX_PART_BYTES.get(name, MAX_OTHER_PART_BYTES)


def too_large(limit: int) -> UnreadableFile:
    return UnreadableFile(
        _(
            "The workbook unpacks to more than %(mb)d MB, far more than an import needs; "
            "save only the sheet to import, or save it as CSV."
        )
        % {"mb": limit // MB}
    )


class _SheetMeasure:
    """Counts a part's rows, columns and cells as expat streams it, and stops at a limit.

    Parts other than sheets have none of these, and pass.
    """

    def __init__(self):
        self.row = 0
        self.column = 0
        self.cells = 0
        self.rows_with_values = 0
        self.row_has_values = False

    def start(self, name, attributes):
        tag = name.rpartition(" ")[2]
        if tag == "c":
            ref = attributes.get("r")
            self.column = _column_of(ref) if ref else self.column + 1
            self.cells += 1
            if self.column > MAX_COLUMNS:
                raise too_many_columns()
            if self.cells > MAX_CELLS:
                raise UnreadableFile(
                    _("The sheet has more than %(max)d cells; delete empty columns or split it.")
                    % {"max": MAX_CELLS}
                )
        elif tag in ("v", "is") and not self.row_has_values:
            self.row_has_values = True
            self.rows_with_values += 1
            # The header and MAX_ROWS rows.
            if self.rows_with_values > MAX_ROWS + 1:
                raise too_many_rows()
        elif tag == "dimension":
            self.check_dimension(attributes.get("ref", ""))
        elif tag == "row":
            ref = attributes.get("r", "")
            self.row = int(ref) if ref.isdigit() else self.row + 1
            self.column = 0
            self.row_has_values = False
            if self.row > MAX_SHEET_ROWS:
                raise too_many_rows()

    @staticmethod
    def check_dimension(ref: str) -> None:
        """What the sheet says it spans, e.g. A1:H50001: refused at once if past a limit."""
        last = ref.rpartition(":")[2]
        row = last.lstrip("$ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
        if row.isdigit() and int(row) > MAX_SHEET_ROWS:
            raise too_many_rows()
        if _column_of(last.replace("$", "")) > MAX_COLUMNS:
            raise too_many_columns()


def _column_of(ref: str) -> int:
    letters = ref.rstrip("0123456789").upper()
    if len(letters) > 2:
        return MAX_COLUMNS + 1  # column AAA is 703
    index = 0
    for letter in letters:
        index = index * 26 + ord(letter) - ord("A") + 1
    return index


def _refuse_doctype(*args):
    # Workbook XML never declares a DTD; one here can only be entity tricks.
    raise not_a_workbook()


def _is_xml(archive: zipfile.ZipFile, part: str) -> bool:
    with archive.open(part) as stream:
        start = stream.read(64)
    return start.startswith((b"\xff\xfe", b"\xfe\xff")) or start.lstrip(
        b"\xef\xbb\xbf \t\r\n"
    ).startswith(b"<")


def _measure(archive: zipfile.ZipFile, part: str) -> None:
    measure = _SheetMeasure()
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.StartElementHandler = measure.start
    parser.StartDoctypeDeclHandler = _refuse_doctype
    with archive.open(part) as stream:
        while chunk := stream.read(256 * 1024):
            parser.Parse(chunk, False)
    parser.Parse(b"", True)
