"""XLSX files written part by part, for the workbooks openpyxl would never save.

A million-row sheet is streamed into the zip in repeated blocks, so building it takes a
fraction of a second; the benchmark ``benchmarks/roster_refusal.py`` builds the same.
"""

import io
import zipfile

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)
PACKAGE_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="명단" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
)
SHEET_START = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
)
HEADER = ("employee_number", "name", "email", "team")


def row_xml(values) -> str:
    cells = "".join(f'<c t="inlineStr"><is><t>{value}</t></is></c>' for value in values)
    return f"<row>{cells}</row>"


def sheet_xlsx(blocks, *, dimension: str = "", compresslevel: int = 6) -> bytes:
    """A one-sheet workbook whose sheet data is ``blocks`` (str or bytes), in order."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=compresslevel) as z:
        z.writestr("[Content_Types].xml", CONTENT_TYPES)
        z.writestr("_rels/.rels", PACKAGE_RELS)
        z.writestr("xl/workbook.xml", WORKBOOK)
        z.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        with z.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write(SHEET_START.encode())
            if dimension:
                sheet.write(f'<dimension ref="{dimension}"/>'.encode())
            sheet.write(b"<sheetData>")
            for block in blocks:
                sheet.write(block.encode() if isinstance(block, str) else block)
            sheet.write(b"</sheetData></worksheet>")
    return buffer.getvalue()


def roster_xlsx(rows, **options) -> bytes:
    """A small roster: the header, then ``rows`` (lists of cell values)."""
    return sheet_xlsx([row_xml(HEADER), *(row_xml(row) for row in rows)], **options)


def million_row_xlsx(rows: int = 1_000_000, *, dimension: bool = False) -> bytes:
    """The header and ``rows`` one-cell rows, about 700 KB: the refused file of issue 10.

    Employee numbers repeat every 1,000 rows, a stretch deflate sees whole, so the file
    is small yet compressed only about 50 to 1: a real-looking workbook, not a zip bomb.
    """
    period = 1_000
    repeats, rest = divmod(rows, period)
    return sheet_xlsx(
        [row_xml(HEADER), *([_one_cell_rows(period)] * repeats), _one_cell_rows(rest)],
        dimension=f"A1:D{rows + 1}" if dimension else "",
        compresslevel=4,
    )


def _one_cell_rows(count: int) -> bytes:
    return "".join(f"<row><c><v>{n}</v></c></row>" for n in range(count)).encode()
