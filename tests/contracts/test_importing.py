"""Importing actuals: encodings and XLSX, every bad row listed, nothing written on any
error, a second import changes nothing; the command does the same."""

import io
from datetime import date, datetime
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from contracts.builders import kpi, make_contract
from contracts.importing import import_actuals
from contracts.models import KpiActual, Measure

pytestmark = pytest.mark.django_db

GOOD = [
    ["협력사", "지표", "기간", "실적", "비고"],
    ["HGCS", "response-rate", "2026-10", "91.5", "추석 연휴"],
    ["HGCS", "handling-time", "2026-10", "287", ""],
    ["hgcs", "FCR", "2026-W44", "82%", ""],
    ["ONC", "csat", "2026-10-01", "4.6", ""],
]


def _csv(rows, encoding="utf-8") -> bytes:
    return "\n".join(",".join(row) for row in rows).encode(encoding)


def _xlsx(rows, percent_rows=()) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    for row in percent_rows:
        workbook.active.cell(row=row, column=4).number_format = "0.0%"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _table():
    return sorted(
        KpiActual.objects.values_list("kpi__code", "period_start", "value", "source", "note")
    )


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp949", "euc-kr"])
def test_a_csv_in_every_korean_excel_encoding_is_imported(world, contracts, encoding):
    outcome = import_actuals(_csv(GOOD, encoding), "actuals.csv", user=world.client_manager)
    assert outcome.ok, outcome.errors
    assert (outcome.created, outcome.updated, outcome.unchanged) == (4, 0, 0)
    assert _table() == [
        ("csat", date(2026, 10, 1), Decimal("4.60"), "imported", ""),
        ("fcr", date(2026, 10, 26), Decimal("82.00"), "imported", ""),
        ("handling-time", date(2026, 10, 1), Decimal("287.00"), "imported", ""),
        ("response-rate", date(2026, 10, 1), Decimal("91.50"), "imported", "추석 연휴"),
    ]
    assert KpiActual.objects.filter(recorded_by=world.client_manager).count() == 4


def test_an_xlsx_with_numbers_and_dates_is_imported(world, contracts):
    rows = [
        ["Vendor code", "KPI code", "Period", "Value"],
        ["HGCS", "response-rate", datetime(2026, 10, 1), 91.5],  # Excel made 2026-10 a date
        ["HGCS", "fcr", datetime(2026, 10, 26), 0.1 + 80.2],  # a float's noise is rounded
    ]
    outcome = import_actuals(_xlsx(rows), "actuals.xlsx")
    assert outcome.ok, outcome.errors
    assert KpiActual.objects.get(kpi__code="fcr").value == Decimal("80.30")


def test_a_cell_showing_a_percentage_is_read_as_it_shows(world, contracts, english):
    rows = [
        ["Vendor code", "KPI code", "Period", "Value"],
        ["HGCS", "response-rate", "2026-10", 0.925],  # shows 92.5%
        ["HGCS", "csat", "2026-10", 0.46],  # shows 46%, but CSAT is a score
    ]
    outcome = import_actuals(_xlsx(rows, percent_rows=(2, 3)), "actuals.xlsx")
    assert [(error.row, error.message) for error in outcome.errors] == [
        (3, "“46%” is not a number")
    ]
    outcome = import_actuals(_xlsx(rows[:2], percent_rows=(2,)), "actuals.xlsx")
    assert outcome.ok, outcome.errors
    assert KpiActual.objects.get().value == Decimal("92.50")


def test_importing_the_same_file_again_changes_nothing(world, contracts):
    import_actuals(_csv(GOOD), "a.csv")
    before = list(KpiActual.objects.values_list("pk", "recorded_at"))
    again = import_actuals(_csv(GOOD), "a.csv")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 4)
    assert list(KpiActual.objects.values_list("pk", "recorded_at")) == before


def test_another_value_updates_the_actual_and_says_who_and_when(world, contracts):
    import_actuals(_csv(GOOD), "a.csv")
    changed = [GOOD[0], ["HGCS", "response-rate", "2026-10", "93", "추석 연휴"]]
    outcome = import_actuals(_csv(changed), "b.csv", user=world.client_manager)
    assert (outcome.created, outcome.updated, outcome.unchanged) == (0, 1, 0)
    actual = KpiActual.objects.get(kpi__code="response-rate")
    assert (actual.value, actual.recorded_by) == (Decimal("93.00"), world.client_manager)


def test_every_bad_row_is_listed_and_nothing_is_written(world, contracts, english):
    computed = make_contract(
        world.vendor_a,
        [
            kpi("ack", "공지 확인", measure=Measure.ON_TIME_ACKNOWLEDGEMENT),
            kpi("a", "가"),
            kpi("b", "나"),
            kpi("old", "예전 지표", active=False),
        ],
        name="2027 계약",
        starts_on=date(2027, 1, 1),
    )
    assert computed.pk
    rows = [
        GOOD[0],
        ["HGCS", "response-rate", "2026-10", "91.5", ""],  # 2: good
        ["HGCS", "response-rate", "2026-W40", "91", ""],  # 3: a week for a monthly KPI
        ["HGCS", "fcr", "2026-10", "80", ""],  # 4: a month for a weekly KPI
        ["HGCS", "fcr", "2026-10-27", "80", ""],  # 5: not a Monday
        ["NOPE", "csat", "2026-10", "4", ""],  # 6: unknown vendor
        ["HGCS", "nps", "2026-10", "40", ""],  # 7: unknown KPI
        ["HGCS", "csat", "2026-10", "좋음", ""],  # 8: text in the number column
        ["HGCS", "response-rate", "2026-10", "91.5", ""],  # 9: the same as row 2
        ["HGCS", "response-rate", "2026-09", "101", ""],  # 10: a percentage over 100
        ["HGCS", "handling-time", "2026-09", "-5", ""],  # 11: negative
        ["HGCS", "ack", "2027-01", "99", ""],  # 12: computed by the portal
        ["HGCS", "response-rate", "2025-12", "90", ""],  # 13: before the contract
        ["HGCS", "old", "2027-01", "1", ""],  # 14: no longer active
        ["HGCS", "csat", "2099-01", "4", ""],  # 15: not begun yet
        ["ONC", "csat", "", "4", ""],  # 16: no period
        ["ONC", "csat", "2026-10", "", ""],  # 17: no value
    ]
    outcome = import_actuals(_csv(rows), "bad.csv")
    reasons = {error.row: error.message for error in outcome.errors}
    assert sorted(reasons) == list(range(3, 18))
    for row, words in {
        3: "monthly",
        4: "weekly",
        5: "Monday",
        6: "unknown vendor",
        7: "unknown KPI “nps”",
        8: "not a number",
        9: "row 2",
        10: "over 100",
        11: "negative",
        12: "computed by the portal",
        13: "no contract in force in 2025-12",
        14: "no longer an active KPI",
        15: "not begun",
        16: "empty",
        17: "empty",
    }.items():
        assert words in reasons[row], (row, reasons[row])
    assert not KpiActual.objects.exists()


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"", "empty"),
        (b"vendor,kpi,value\nHGCS,csat,4\n", "Period"),
        (b"vendor,kpi,period,value\n", "no actuals"),
        (b"\x80\x81\xff\xfe\xfa,", "neither UTF-8"),
        (b"PK\x03\x04garbage", "XLSX"),
    ],
)
def test_an_unreadable_file_says_why(world, contracts, data, words, english):
    outcome = import_actuals(data, "x.csv")
    assert words in outcome.errors[0].message
    assert not KpiActual.objects.exists()


def test_the_command_imports_or_lists_every_problem(world, contracts, tmp_path, capsys, english):
    good = tmp_path / "good.csv"
    good.write_bytes(_csv(GOOD, "cp949"))
    call_command("import_kpi_actuals", str(good))
    assert "4 new" in capsys.readouterr().out
    bad = tmp_path / "bad.csv"
    bad.write_bytes(_csv([GOOD[0], ["HGCS", "csat", "2026-11", "많음", ""]]))
    with pytest.raises(CommandError, match="1 problem"):
        call_command("import_kpi_actuals", str(bad))
    assert "row 2" in capsys.readouterr().err
    assert KpiActual.objects.count() == 4
