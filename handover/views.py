"""Client managers' "Records hand-over" page in the admin: start an export of a vendor's
records, follow its progress, download the archive. Vendor-side people never enter the
admin; these views refuse them again, and client staff who are not client managers.
A vendor whose people's personal data was erased (off-boarding) is no longer exported.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from portal.organisation.models import Vendor
from portal.queueing import queue
from portal.staff import is_client_staff

from . import offboarding
from .models import RecordsExport
from .tasks import export_records

EXPORT_PERMISSION = "handover.export_records"
#: Exports listed on the page, newest first.
LISTED = 50
#: Seconds between reloads of the page while an export is under way.
REFRESH_SECONDS = 5


def _client_managers_only(request):
    if not is_client_staff(request.user) or not request.user.has_perm(EXPORT_PERMISSION):
        raise PermissionDenied


class ExportForm(forms.Form):
    vendor = forms.ModelChoiceField(queryset=Vendor.objects.none(), label=gettext_lazy("Vendor"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["vendor"].queryset = Vendor.objects.for_user(user).order_by("name")


def exports(request):
    """The exports, newest first, with their progress; a POST starts one."""
    _client_managers_only(request)
    form = ExportForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        vendor = form.cleaned_data["vendor"]
        with transaction.atomic():
            # The lock the erasure takes: an export is either seen by it (and holds it
            # back) or sees that it happened.
            offboarding.lock_vendor(vendor.pk)
            if offboarding.personal_data_erased(vendor.pk):
                export = None
            else:
                export = RecordsExport.objects.create(vendor=vendor, requested_by=request.user)
                transaction.on_commit(lambda: _hand_to_worker(export.pk))
        if export is None:
            messages.error(
                request,
                _(
                    "The personal data of %(vendor)s's people has been erased (off-boarding): "
                    "its records can no longer be exported."
                )
                % {"vendor": vendor.name},
            )
            return redirect("handover_exports")
        messages.success(
            request,
            _("The export of %(vendor)s has started; this page shows its progress.")
            % {"vendor": export.vendor.name},
        )
        return redirect("handover_exports")
    listed = list(
        RecordsExport.objects.for_user(request.user).select_related("vendor", "requested_by")[
            :LISTED
        ]
    )
    return render(
        request,
        "handover/admin/exports.html",
        {
            "form": form,
            "exports": listed,
            "refresh": REFRESH_SECONDS if any(e.in_progress for e in listed) else None,
        },
        status=400 if form.errors else 200,
    )


def _hand_to_worker(export_id: int) -> None:
    # Nothing catches up on an export the broker never got: it is marked failed, and the
    # client manager starts another.
    if not queue(export_records, export_id, catches_up="a new export"):
        RecordsExport.objects.unscoped().filter(
            pk=export_id, status=RecordsExport.Status.QUEUED
        ).update(
            status=RecordsExport.Status.FAILED, error=_("The task queue could not be reached.")
        )


@require_safe
def download(request, export_id):
    """The archive of a finished export, to client managers only."""
    _client_managers_only(request)
    export = get_object_or_404(
        RecordsExport.objects.for_user(request.user), pk=export_id, status=RecordsExport.Status.DONE
    )
    if export.path is None or not export.path.is_file():
        raise Http404
    response = FileResponse(
        export.path.open("rb"),
        as_attachment=True,
        filename=export.file_name,
        content_type="application/zip",
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
