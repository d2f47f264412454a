"""Importing KPI actuals from a CSV or XLSX file: the roster's reader
(``portal.tabular.reading``: UTF-8 with or without BOM, CP949/EUC-KR, XLSX, within
limits), then ``recording.record_actuals``: every bad row listed, nothing written unless
every row is good, and a file imported again changes nothing.

Columns, in English or Korean, matched loosely: vendor code (협력사), KPI code (지표),
period (기간: ``2026-11`` for a month, ``2026-W47`` or the Monday ``2026-11-16`` for a
week), value (실적), and optionally a note (비고).
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.tabular.reading import UnreadableFile, match_columns, read_table

from .models import Source
from .recording import Line, LineError, Outcome, record_actuals

REQUIRED_COLUMNS = ("vendor", "kpi", "period", "value")
OPTIONAL_COLUMNS = ("note",)

COLUMN_LABELS = {
    "vendor": gettext_lazy("Vendor code"),
    "kpi": gettext_lazy("KPI code"),
    "period": gettext_lazy("Period"),
    "value": gettext_lazy("Value"),
    "note": gettext_lazy("Note"),
}

COLUMN_ALIASES = {
    "vendor": {"vendor", "vendorcode", "협력사", "협력사코드", "업체", "업체코드", "벤더"},
    "kpi": {"kpi", "kpicode", "code", "지표", "지표코드", "kpi코드", "코드"},
    "period": {"period", "month", "week", "기간", "월", "주", "기준월", "기준주", "측정기간"},
    "value": {"value", "actual", "actuals", "값", "실적", "실적값", "측정값", "결과"},
    "note": {"note", "notes", "comment", "비고", "메모", "설명"},
}


def import_actuals(data: bytes, filename: str = "", *, user=None) -> Outcome:
    """Import the file's actuals for whichever vendors its rows name; the caller has
    checked that ``user`` (None: the command line) may record every vendor's actuals."""
    try:
        table = read_table(data, filename)
    except UnreadableFile as exc:
        return Outcome(errors=[LineError(exc.row, str(exc))])
    positions, problems = match_columns(
        table.header, COLUMN_ALIASES, REQUIRED_COLUMNS, COLUMN_LABELS
    )
    if problems:
        return Outcome(errors=[LineError(1, problem) for problem in problems])

    def cell(values, column):
        index = positions.get(column)
        return values[index] if index is not None and index < len(values) else None

    lines = [
        Line(
            row=number,
            vendor=cell(values, "vendor"),
            kpi=cell(values, "kpi"),
            period=cell(values, "period"),
            value=cell(values, "value"),
            note=cell(values, "note") or "",
        )
        for number, values in table.rows
    ]
    if not lines:
        return Outcome(errors=[LineError(0, _("The file has a header but no actuals."))])
    return record_actuals(lines, source=Source.IMPORTED, user=user)
