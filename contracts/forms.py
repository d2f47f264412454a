"""The contract's admin form (its KPIs inline, 3 to 5 active), the form where client staff
enter a period's actuals, and the upload form of an actuals file."""

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from portal.tabular.reading import MAX_FILE_BYTES

from .models import Kpi, KpiActual, KpiAlert, ReviewNote, active_kpis_error

UPLOAD_EXTENSIONS = (".csv", ".txt", ".xlsx")


class ContractForm(WagtailAdminModelForm):
    """A contract with its KPIs: 3 to 5 active ones; a KPI with actuals keeps its period
    and source, and is deactivated rather than deleted, so its history keeps meaning."""

    def is_valid(self):
        valid = super().is_valid()
        formset = self.formsets.get("kpis")
        if not valid or formset is None:
            return valid
        kept = [form for form in formset.forms if not self._deleted(formset, form)]
        error = active_kpis_error(sum(1 for form in kept if form.cleaned_data.get("active")))
        if error:
            self.add_error(None, error)
        self._one_code_each(kept)
        self._check_kpis_with_actuals(formset)
        return not self.errors and not any(form.errors for form in formset.forms)

    @staticmethod
    def _one_code_each(kept) -> None:
        """Codes are matched in any case (a file's ``CSAT`` is ``csat``): kept lower-case,
        one KPI each."""
        seen = set()
        for form in kept:
            code = (form.cleaned_data.get("code") or "").lower()
            if not code:
                continue
            form.cleaned_data["code"] = form.instance.code = code
            if code in seen:
                form.add_error("code", _("Another KPI of this contract has this code."))
            seen.add(code)

    @staticmethod
    def _deleted(formset, form) -> bool:
        return (not form.has_changed() and form.instance.pk is None) or (
            formset.can_delete and formset._should_delete_form(form)
        )

    def _check_kpis_with_actuals(self, formset):
        if not self.instance.pk:
            return
        # The admin is client staff's, who see every vendor.
        saved = {kpi.pk: kpi for kpi in Kpi.objects.unscoped().filter(contract_id=self.instance.pk)}
        with_actuals = set(
            KpiActual.objects.unscoped()
            .filter(kpi_id__in=saved)
            .values_list("kpi_id", flat=True)
            .distinct()
        )
        kept = {
            form.instance.pk: form
            for form in formset.forms
            if form.instance.pk in saved and not formset._should_delete_form(form)
        }
        # A KPI missing from the form (deleted, or left out of a tampered one) goes.
        for pk in sorted(with_actuals - kept.keys()):
            self.add_error(
                None,
                _("The KPI “%(kpi)s” has actuals: make it inactive instead of deleting it.")
                % {"kpi": saved[pk].name},
            )
        if "vendor" in self.changed_data and self._has_history(with_actuals):
            self.add_error(
                "vendor",
                _(
                    "This contract has actuals, review notes or alerts of its vendor: it cannot "
                    "move to another."
                ),
            )
        if with_actuals:
            self._keep_the_actuals_term(with_actuals)
        for pk in with_actuals & kept.keys():
            # What the actuals were measured against: a new KPI instead, not a new meaning.
            for name in ("code", "unit", "period", "measure"):
                if name in kept[pk].changed_data:
                    kept[pk].add_error(
                        name,
                        _("This KPI already has actuals; add a new KPI rather than change this."),
                    )
        # A KPI may take the code of one deleted in the same save, not of one that stays
        # (or that a tampered form left out, which would not be deleted first): KPIs are
        # saved one by one, so even a swap of two codes would meet the other's first.
        deleted = {form.instance.pk for form in formset.forms if formset._should_delete_form(form)}
        for form in formset.forms:
            if formset._should_delete_form(form) or not form.cleaned_data:
                continue
            own = form.instance.pk
            if own in saved and "code" not in form.changed_data:
                continue
            taken = {kpi.code.lower() for pk, kpi in saved.items() if pk not in deleted | {own}}
            if (form.cleaned_data.get("code") or "").lower() in taken:
                form.add_error(
                    "code",
                    _(
                        "Another KPI of this contract has this code when this one is saved: "
                        "change one code at a time."
                    ),
                )

    def _has_history(self, with_actuals) -> bool:
        """What was reported, agreed or alerted belongs to the contract's vendor."""
        contract = self.instance.pk
        return bool(with_actuals) or any(
            model.objects.unscoped().filter(**{lookup: contract}).exists()
            for model, lookup in ((ReviewNote, "contract_id"), (KpiAlert, "kpi__contract_id"))
        )

    def _keep_the_actuals_term(self, with_actuals) -> None:
        """Actuals belong to periods the contract covers: its term may not leave them out."""
        if not {"starts_on", "ends_on"} & set(self.changed_data):
            return
        contract = self.instance
        left_out = [
            actual
            for actual in KpiActual.objects.unscoped()
            .filter(kpi_id__in=with_actuals)
            .select_related("kpi")
            .order_by("period_start")
            if contract.starts_on
            and not contract.covers_period(actual.period_start, actual.kpi.period)
        ]
        if left_out:
            self.add_error(
                None,
                _("The new term leaves out actuals already recorded (from %(period)s).")
                % {"period": left_out[0].period_label},
            )


class ActualsUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Actuals file"),
        help_text=_(
            "CSV (UTF-8, or CP949/EUC-KR as Korean Excel saves it) or XLSX. "
            "The first row names the columns."
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(UPLOAD_EXTENSIONS):
            raise forms.ValidationError(_("Upload a .csv or .xlsx file."))
        if upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError(_("The file is larger than 20 MB."))
        return upload


class PeriodForm(forms.Form):
    period = forms.CharField(
        label=_("Period"),
        max_length=20,
        help_text=_("2026-11 for monthly KPIs; 2026-W47 or its Monday, 2026-11-16, for weekly."),
    )


class ActualsForm(forms.Form):
    """A value and a note for each of ``kpis``; a value left empty is not recorded. The
    values are checked by ``recording``, as a file's are."""

    def __init__(self, *args, kpis, actuals, **kwargs):
        super().__init__(*args, **kwargs)
        self.kpis = kpis
        for kpi in kpis:
            actual = actuals.get(kpi.pk)
            self.fields[f"value_{kpi.pk}"] = forms.CharField(
                label=kpi.name,
                required=False,
                max_length=40,
                initial=actual.value if actual else None,
            )
            self.fields[f"note_{kpi.pk}"] = forms.CharField(
                label=_("Note"),
                required=False,
                max_length=KpiActual._meta.get_field("note").max_length,
                initial=actual.note if actual else "",
            )

    def rows(self):
        """(KPI, its value field, its note field) for the template."""
        return [(kpi, self[f"value_{kpi.pk}"], self[f"note_{kpi.pk}"]) for kpi in self.kpis]
