"""Client managers' "Off-boarding" page in the admin: each vendor's state, and the form
that decides (or changes) when a vendor's accounts end and how long its people's
personal data is kept after that. Consequential, so a valid form first shows what will
happen and asks to confirm; only the confirmed form changes anything. Vendor-side people
never enter the admin; these views refuse them again, and client staff who may not
off-board."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.widgets import AdminDateInput

from portal import periods
from portal.organisation.models import AgentProfile, Vendor
from portal.queueing import queue
from portal.staff import is_client_staff

from . import offboarding
from .models import VendorOffboarding

OFFBOARD_PERMISSION = "handover.offboard_vendor"


def _offboarders_only(request):
    if not is_client_staff(request.user) or not request.user.has_perm(OFFBOARD_PERMISSION):
        raise PermissionDenied


class OffboardingForm(forms.Form):
    vendor = forms.ModelChoiceField(queryset=Vendor.objects.none(), label=gettext_lazy("Vendor"))
    accounts_end_on = forms.DateField(
        label=gettext_lazy("Accounts end on"),
        widget=AdminDateInput,
        help_text=gettext_lazy("The first day the vendor's people can no longer sign in."),
    )
    retention_days = forms.IntegerField(
        label=gettext_lazy("Retention (days)"),
        help_text=gettext_lazy(
            "Personal data of the vendor's people is erased this many days after their "
            "accounts end; their records are kept, pseudonymised."
        ),
    )
    #: Set by the confirmation step: only a confirmed form changes anything.
    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["vendor"].queryset = Vendor.objects.for_user(user).order_by("name")
        self.fields["retention_days"].initial = settings.OFFBOARDING_RETENTION_DAYS
        self.current = None

    def clean(self):
        cleaned = super().clean()
        vendor, end_on = cleaned.get("vendor"), cleaned.get("accounts_end_on")
        days = cleaned.get("retention_days")
        if vendor is None or end_on is None or days is None:
            return cleaned
        self.current = offboarding.offboarding_of(vendor)
        problems = offboarding.check(
            self.current, accounts_end_on=end_on, retention_days=days, today=periods.today()
        )
        for field, message in problems.items():
            self.add_error(None if field == "__all__" else field, message)
        return cleaned


def offboardings(request):
    """Every vendor with its off-boarding state; the form decides one (GET ``?vendor=``
    fills it with that vendor's current choice), through a confirmation step."""
    _offboarders_only(request)
    if request.method == "POST":
        form = OffboardingForm(request.POST, user=request.user)
        if form.is_valid():
            if form.cleaned_data["confirmed"]:
                return _decide(request, form)
            return _confirmation(request, form)
    else:
        form = OffboardingForm(initial=_initial(request), user=request.user)
    return render(
        request,
        "handover/admin/offboarding.html",
        {"form": form, "vendors": _vendor_states(request.user), "today": periods.today()},
        status=400 if form.errors else 200,
    )


def _initial(request) -> dict:
    asked = request.GET.get("vendor", "")
    # Not an id (or beyond any id): an empty form, as for no vendor.
    vendor = (
        Vendor.objects.for_user(request.user).filter(pk=int(asked)).first()
        if asked.isascii() and asked.isdigit() and len(asked) < 19
        else None
    )
    if vendor is None:
        return {}
    current = offboarding.offboarding_of(vendor)
    if current is None:
        return {"vendor": vendor}
    return {
        "vendor": vendor,
        "accounts_end_on": current.accounts_end_on,
        "retention_days": current.retention_days,
    }


def _confirmation(request, form):
    vendor = form.cleaned_data["vendor"]
    data = form.cleaned_data
    # The form checked that this day is within the calendar.
    erase_on = offboarding.erase_on(data["accounts_end_on"], data["retention_days"])
    confirm = OffboardingForm(
        initial={**data, "confirmed": True},
        user=request.user,
    )
    for field in confirm:
        field.field.widget = forms.HiddenInput()
    people = AgentProfile.objects.unscoped().filter(
        vendor=vendor, status=AgentProfile.Status.ACTIVE
    )
    return render(
        request,
        "handover/admin/offboarding_confirm.html",
        {
            "form": confirm,
            "vendor": vendor,
            "current": form.current,
            "accounts_end_on": data["accounts_end_on"],
            "retention_days": data["retention_days"],
            "erase_on": erase_on,
            "people": people.count(),
            "today": periods.today(),
        },
    )


def _decide(request, form):
    data = form.cleaned_data
    try:
        decided = offboarding.schedule(
            data["vendor"],
            accounts_end_on=data["accounts_end_on"],
            retention_days=data["retention_days"],
            decided_by=request.user,
        )
    except ValidationError as error:
        # Beat ended the accounts, or someone else decided, between the two steps.
        for message in error.messages:
            messages.error(request, message)
        return redirect("handover_offboarding")
    if decided.accounts_end_on <= periods.today():
        # Today: the accounts end now rather than at the next hourly run.
        from .tasks import offboard_vendors

        transaction.on_commit(
            lambda: queue(offboard_vendors, catches_up="the hourly off-boarding run")
        )
    messages.success(
        request,
        _("%(vendor)s: accounts end on %(end)s; personal data is erased on %(erase)s.")
        % {
            "vendor": decided.vendor.name,
            "end": decided.accounts_end_on.isoformat(),
            "erase": decided.erase_on.isoformat(),
        },
    )
    return redirect("handover_offboarding")


def cancel(request, vendor_id):
    """Cancel a vendor's off-boarding before its accounts have ended: a GET asks to
    confirm, the POST deletes it, and nothing of it happens."""
    _offboarders_only(request)
    vendor = get_object_or_404(Vendor.objects.for_user(request.user), pk=vendor_id)
    if request.method == "POST":
        try:
            offboarding.cancel(vendor)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            return redirect("handover_offboarding")
        messages.success(
            request,
            _("%(vendor)s: the off-boarding is cancelled; nothing of it will happen.")
            % {"vendor": vendor.name},
        )
        return redirect("handover_offboarding")
    current = offboarding.offboarding_of(vendor)
    refused = offboarding.cancel_refused(current)
    if refused:
        messages.error(request, refused)
        return redirect("handover_offboarding")
    return render(
        request,
        "handover/admin/offboarding_cancel.html",
        {"vendor": vendor, "current": current},
    )


def _vendor_states(user) -> list[dict]:
    """Each vendor the viewer sees, its active people and its off-boarding, if any: two
    queries whatever the number of vendors."""
    vendors = (
        Vendor.objects.for_user(user)
        .annotate(
            active_people=Count("agents", filter=Q(agents__status=AgentProfile.Status.ACTIVE))
        )
        .order_by("name")
    )
    rows = {
        row.vendor_id: row
        for row in VendorOffboarding.objects.for_user(user).select_related("decided_by")
    }
    return [{"vendor": vendor, "offboarding": rows.get(vendor.pk)} for vendor in vendors]
