"""Client staff's admin pages: entering a contract's actuals for a period, and importing a
file of actuals. Vendor-side people never enter the admin; these pages refuse them
again, and client staff without the right to record actuals."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from portal.periods import today
from portal.staff import is_client_staff

from .forms import ActualsForm, ActualsUploadForm, PeriodForm
from .importing import COLUMN_LABELS, OPTIONAL_COLUMNS, REQUIRED_COLUMNS, import_actuals
from .models import Contract, Kpi, KpiActual, Period, Source
from .periods import latest_complete, parse_period, period_label
from .recording import Line, record_actuals

RECORD_PERMISSION = "contracts.add_kpiactual"


def _recorders_only(request):
    if not is_client_staff(request.user) or not request.user.has_perm(RECORD_PERMISSION):
        raise PermissionDenied


def enter_actuals(request, contract_id):
    """One period's actuals of a contract's active reported KPIs, by hand."""
    _recorders_only(request)
    contract = get_object_or_404(
        Contract.objects.for_user(request.user).select_related("vendor"), pk=contract_id
    )
    kpis = list(
        Kpi.objects.for_user(request.user)
        .filter(contract=contract, active=True, measure="")
        .select_related("contract")
        .order_by("sort_order", "pk")
    )
    raw_period = request.GET.get("period") or _default_period(kpis)
    period_form = PeriodForm({"period": raw_period})
    # The KPIs the period names: monthly ones for 2026-11, weekly ones for 2026-W47.
    starts = {}
    if period_form.is_valid():
        for kpi in kpis:
            try:
                starts[kpi.pk] = parse_period(period_form.cleaned_data["period"], kpi.period)
            except ValidationError:
                continue
    shown = [kpi for kpi in kpis if kpi.pk in starts]
    if period_form.is_valid() and not shown:
        period_form.add_error(
            "period", _("No active reported KPI of this contract is counted by that period.")
        )
    actuals = {
        actual.kpi_id: actual
        for actual in KpiActual.objects.for_user(request.user).filter(
            kpi__in=shown, period_start__in=set(starts.values())
        )
        if starts.get(actual.kpi_id) == actual.period_start
    }
    form = ActualsForm(request.POST or None, kpis=shown, actuals=actuals)
    errors = {}
    status = 200
    if request.method == "POST" and shown and form.is_valid():
        lines = [
            Line(
                row=index,
                kpi=kpi,
                period=starts[kpi.pk],
                value=form.cleaned_data[f"value_{kpi.pk}"],
                note=form.cleaned_data[f"note_{kpi.pk}"],
            )
            for index, kpi in enumerate(shown, start=1)
            if form.cleaned_data[f"value_{kpi.pk}"].strip()
        ]
        outcome = record_actuals(
            lines, source=Source.ENTERED, user=request.user, vendor=contract.vendor
        )
        if outcome.ok:
            messages.success(
                request,
                _("Actuals saved: %(created)d new, %(updated)d changed, %(unchanged)d unchanged.")
                % {
                    "created": outcome.created,
                    "updated": outcome.updated,
                    "unchanged": outcome.unchanged,
                },
            )
            query = urlencode({"period": period_form.cleaned_data["period"]})
            return redirect(f"{request.path}?{query}")
        errors = {shown[error.row - 1].pk: error.message for error in outcome.errors if error.row}
        # Not a row's: someone recorded the same period at that moment.
        for error in outcome.errors:
            if not error.row:
                form.add_error(None, error.message)
        status = 400
    elif request.method == "POST":
        status = 400
    rows = [
        (kpi, period_label(starts[kpi.pk], kpi.period), value, note, errors.get(kpi.pk))
        for kpi, value, note in form.rows()
    ]
    return render(
        request,
        "contracts/admin/enter_actuals.html",
        {"contract": contract, "period_form": period_form, "form": form, "rows": rows},
        status=status,
    )


def _default_period(kpis) -> str:
    kind = Period.MONTH if any(kpi.period == Period.MONTH for kpi in kpis) else Period.WEEK
    return period_label(latest_complete(kind, today()), kind)


def import_view(request):
    """Upload a file of actuals; the page lists every bad row, or what was recorded."""
    _recorders_only(request)
    outcome, status = None, 200
    if request.method == "POST":
        form = ActualsUploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            outcome = import_actuals(upload.read(), upload.name, user=request.user)
            status = 200 if outcome.ok else 400
        else:
            status = 400
    else:
        form = ActualsUploadForm()
    return render(
        request,
        "contracts/admin/import.html",
        {
            "form": form,
            "outcome": outcome,
            "required_columns": [COLUMN_LABELS[name] for name in REQUIRED_COLUMNS],
            "optional_columns": [COLUMN_LABELS[name] for name in OPTIONAL_COLUMNS],
        },
        status=status,
    )
