"""Roster files from outside: over a limit, damaged or hostile, each gets a clear message,
is refused while it is read (not after), and changes nothing."""

import io
import struct
import tracemalloc
import zipfile

import pytest
from django.utils import translation

from portal.organisation.roster import import_roster
from portal.tabular.reading import MAX_ROWS
from portal.tabular.workbook import MAX_RATIO, MAX_SHEET_BYTES, MB

from .test_roster_import import csv_bytes, snapshot, xlsx_bytes
from .workbooks import million_row_xlsx, roster_xlsx, row_xml, sheet_xlsx

pytestmark = pytest.mark.django_db

#: Refusing a file must not cost more than reading a small one.
LITTLE_MEMORY = 32 * 1024 * 1024
TOO_MANY_ROWS = f"more than {MAX_ROWS} rows"
TOO_MANY_COLUMNS = "more than 100 columns"


@pytest.fixture(autouse=True)
def _english():
    """Messages are checked in English, which has every one of them."""
    with translation.override("en"):
        yield


def refuse(vendor, data, filename):
    """The report on ``data``, and the most memory Python held while producing it."""
    tracemalloc.start()
    try:
        report = import_roster(vendor, data, filename)
        return report, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def only_error(report):
    assert not report.ok
    assert len(report.errors) == 1, report.errors
    return report.errors[0]


# --- Row limits --------------------------------------------------------------------


@pytest.mark.parametrize("dimension", [False, True], ids=["streamed", "declared"])
def test_a_million_row_xlsx_is_refused_with_little_memory(world, dimension):
    data = million_row_xlsx(dimension=dimension)
    assert len(data) < 1024 * 1024
    before = snapshot(world.vendor_a)
    report, peak = refuse(world.vendor_a, data, "million.xlsx")
    error = only_error(report)
    assert TOO_MANY_ROWS in error.message
    # Before the fix every row was read first: about a gigabyte.
    assert peak < LITTLE_MEMORY
    assert snapshot(world.vendor_a) == before


def test_a_csv_is_read_no_further_than_the_row_limit(world):
    data = "\n".join(["사번,이름,이메일,팀", *(["1"] * 1_000_000)]).encode()
    report, peak = refuse(world.vendor_a, data, "million.csv")
    assert TOO_MANY_ROWS in only_error(report).message
    assert peak < LITTLE_MEMORY


def test_a_roster_of_exactly_the_row_limit_is_not_refused_for_its_size():
    from portal.tabular.reading import read_table

    rows = "".join(f"{n},이름,a{n}@example.com,SEL1\n" for n in range(MAX_ROWS))
    table = read_table(("사번,이름,이메일,팀\n" + rows).encode(), "r.csv")
    assert len(table.rows) == MAX_ROWS


def test_blank_rows_count_towards_the_sheet_limit(world):
    data = sheet_xlsx(
        [row_xml(["사번", "이름", "이메일", "팀"]), '<row r="900000000"><c><v>1</v></c></row>']
    )
    assert TOO_MANY_ROWS in only_error(import_roster(world.vendor_a, data)).message


@pytest.mark.parametrize(
    "cells",
    [
        '<c r="XFD2"><v>1</v></c>',  # the last column Excel has
        "<c><v>1</v></c>" * 1_000,  # one row, a thousand cells
    ],
    ids=["far-column", "wide-row"],
)
def test_a_sheet_wider_than_a_roster_is_refused(world, cells):
    data = sheet_xlsx([row_xml(["사번", "이름", "이메일", "팀"]), f"<row>{cells}</row>"])
    assert TOO_MANY_COLUMNS in only_error(import_roster(world.vendor_a, data)).message


def test_a_declared_dimension_past_the_limits_is_refused_at_once(world):
    data = roster_xlsx([["1", "김민지", "minji@example.com", "SEL1"]], dimension="A1:ZZ2")
    assert TOO_MANY_COLUMNS in only_error(import_roster(world.vendor_a, data)).message


def test_a_file_over_20_mb_is_refused(world):
    data = csv_bytes(["1001,김민지,minji@example.com,SEL1,,,,"]) + b" " * (20 * 1024 * 1024)
    assert "20 MB" in only_error(import_roster(world.vendor_a, data, "r.csv")).message


# --- Zip bombs and lying directories ---------------------------------------------


def test_a_zip_bomb_is_refused_before_it_is_unpacked(world):
    # 20 MB of spaces inside the sheet pack into about 20 KB: a thousand to one.
    data = sheet_xlsx([b" " * (1024 * 1024)] * 20, compresslevel=9)
    report, peak = refuse(world.vendor_a, data, "bomb.xlsx")
    error = only_error(report)
    assert "zip bomb" in error.message and f"{MAX_RATIO} times" in error.message
    assert peak < LITTLE_MEMORY


def forge_unpacked_size(data: bytes, part: str, size: int) -> bytes:
    """``data`` with the zip directory claiming ``part`` unpacks to ``size`` bytes."""
    entry = data.index(b"PK\x01\x02")
    while True:
        name_length = struct.unpack_from("<H", data, entry + 28)[0]
        if data[entry + 46 : entry + 46 + name_length] == part.encode():
            break
        entry = data.index(b"PK\x01\x02", entry + 46)
    forged = bytearray(data)
    # The compressed size grows too, so only the absolute limit can catch it.
    struct.pack_into("<II", forged, entry + 20, size // 10, size)
    return bytes(forged)


@pytest.mark.parametrize(
    ("part", "size", "limit_mb"),
    [
        ("xl/worksheets/sheet1.xml", 3_000_000_000, MAX_SHEET_BYTES // MB),
        ("xl/workbook.xml", 40 * MB, 32),
    ],
)
def test_a_workbook_whose_directory_declares_a_huge_part_is_refused(world, part, size, limit_mb):
    data = roster_xlsx([["1", "김민지", "minji@example.com", "SEL1"]])
    forged = forge_unpacked_size(data, part, size)
    assert zipfile.ZipFile(io.BytesIO(forged)).getinfo(part).file_size == size
    error = only_error(import_roster(world.vendor_a, forged, "r.xlsx"))
    assert f"more than {limit_mb} MB" in error.message


def test_a_zip_of_thousands_of_parts_is_refused(world):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for n in range(5_000):
            archive.writestr(f"xl/part{n}.xml", "<x/>")
    assert "XLSX" in only_error(import_roster(world.vendor_a, buffer.getvalue())).message


def test_a_doctype_in_the_sheet_is_refused(world):
    data = _with_sheet(
        roster_xlsx([["1", "김민지", "minji@example.com", "SEL1"]]),
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]>'
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b"<sheetData><row><c><v>1</v></c></row></sheetData></worksheet>",
    )
    assert "XLSX" in only_error(import_roster(world.vendor_a, data)).message


def _with_sheet(data: bytes, sheet: bytes) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            body = sheet if info.filename == "xl/worksheets/sheet1.xml" else source.read(info)
            target.writestr(info.filename, body)
    return buffer.getvalue()


def test_a_damaged_workbook_never_raises(world):
    """Cut or scrambled anywhere, a workbook gets a report, never an exception."""
    data = xlsx_bytes(
        [["사번", "이름", "이메일", "팀"], ["1", "김민지", "minji@example.com", "SEL1"]]
    )
    for at in range(0, len(data), max(1, len(data) // 50)):
        for damaged in (data[:at], data[:at] + b"\x00" * 16 + data[at + 16 :]):
            report = import_roster(world.vendor_a, damaged, "r.xlsx", dry_run=True)
            assert report.ok or all(error.message for error in report.errors)


def test_the_workbooks_built_here_are_real_rosters(world):
    data = roster_xlsx([["1001", "김민지", "minji@example.com", "SEL1"]])
    report = import_roster(world.vendor_a, data, "r.xlsx")
    assert report.ok and report.created == 1, report.errors


# --- Bytes that are not text ------------------------------------------------------


def test_nul_bytes_in_a_csv_name_their_row_and_write_nothing(world):
    before = snapshot(world.vendor_a)
    data = csv_bytes(
        ["1001,김민지,minji@example.com,SEL1,,,,", "1002,이\x00서준,s@example.com,SEL1,,,,"]
    )
    error = only_error(import_roster(world.vendor_a, data, "r.csv"))
    assert error.row == 3
    assert "NUL" in error.message
    assert snapshot(world.vendor_a) == before


def test_a_utf16_file_without_its_mark_is_refused_as_nul_bytes(world):
    text = "employee_number,name,email,team\n1001,Minji Kim,minji@example.com,SEL1\n"
    error = only_error(import_roster(world.vendor_a, text.encode("utf-16-le"), "r.csv"))
    assert (error.row, "NUL" in error.message) == (1, True)


def test_unicode_text_from_excel_imports(world):
    # Excel's "Unicode text": UTF-16 with its byte-order mark, separated by tabs.
    text = "사번\t이름\t이메일\t팀\r\n1001\t김민지\tminji@example.com\tSEL1\r\n"
    report = import_roster(world.vendor_a, text.encode("utf-16"), "명단.txt")
    assert report.ok and report.created == 1, report.errors


def test_bad_bytes_after_a_utf8_mark_name_their_row(world):
    data = (
        csv_bytes(["1001,김민지,minji@example.com,SEL1,,,,"], bom=True) + b"1002,\xff\xfe,x,SEL1\n"
    )
    error = only_error(import_roster(world.vendor_a, data, "r.csv"))
    assert error.row == 3
    assert "UTF-8" in error.message


def test_bytes_of_no_korean_encoding_name_their_row(world):
    data = csv_bytes(["1001,김민지,minji@example.com,SEL1,,,,"]) + b"1002,\x81\x20\xff\xfe,x,SEL1\n"
    error = only_error(import_roster(world.vendor_a, data, "r.csv"))
    assert error.row == 3
    assert "CP949" in error.message


def test_an_email_too_long_for_the_account_is_a_row_error(world):
    email = "a" * 64 + "@" + ".".join(["b" * 60] * 4) + ".kr"
    report = import_roster(world.vendor_a, csv_bytes([f"1001,김민지,{email},SEL1,,,,"]), "r.csv")
    assert [(e.row, e.column) for e in report.errors] == [(2, "email")]
