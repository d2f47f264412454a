"""The roster upload in the Wagtail admin, for client managers and vendor managers.

Vendors come only from ``Vendor.objects.for_user``: a vendor manager asking for another
vendor's import page gets 404.
"""

import csv
import io

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView, TemplateView
from wagtail.admin.views.generic import WagtailAdminTemplateMixin

from .forms import RosterUploadForm
from .models import RosterImport, Team, Vendor
from .roster import import_roster
from .roster.columns import OPTIONAL_COLUMNS, REQUIRED_COLUMNS

IMPORT_PERMISSION = "organisation.import_roster"


class RosterPermissionMixin:
    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(IMPORT_PERMISSION):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class RosterVendorListView(RosterPermissionMixin, WagtailAdminTemplateMixin, TemplateView):
    page_title = gettext_lazy("Import a roster")
    header_icon = "group"
    template_name = "organisation/admin/roster_vendors.html"

    def get(self, request, *args, **kwargs):
        vendors = list(Vendor.objects.for_user(request.user).filter(is_active=True))
        if len(vendors) == 1:
            return redirect("organisation_roster_import", vendor_id=vendors[0].pk)
        return self.render_to_response(self.get_context_data(vendors=vendors))


class RosterImportView(RosterPermissionMixin, WagtailAdminTemplateMixin, FormView):
    header_icon = "upload"
    template_name = "organisation/admin/roster_import.html"
    form_class = RosterUploadForm

    def dispatch(self, request, *args, **kwargs):
        self.vendor = get_object_or_404(
            Vendor.objects.for_user(request.user), pk=kwargs["vendor_id"]
        )
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return _("Import the roster of %(vendor)s") % {"vendor": self.vendor.name}

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("organisation_roster_import_start"), "label": _("Import a roster")},
            {"url": "", "label": self.get_page_title()},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["vendor"] = self.vendor
        context["teams"] = list(
            Team.objects.for_user(self.request.user).filter(vendor=self.vendor).order_by("name")
        )
        context["required_columns"] = REQUIRED_COLUMNS
        context["optional_columns"] = OPTIONAL_COLUMNS
        context["recent_imports"] = list(
            RosterImport.objects.for_user(self.request.user)
            .filter(vendor=self.vendor)
            .select_related("imported_by")[:5]
        )
        return context

    def form_valid(self, form):
        upload = form.cleaned_data["file"]
        report = import_roster(
            self.vendor,
            upload.read(),
            upload.name,
            deactivate_missing=form.cleaned_data["deactivate_missing"],
            dry_run=form.cleaned_data["dry_run"],
            imported_by=self.request.user,
        )
        status = 200 if report.ok else 400
        return self.render_to_response(
            self.get_context_data(form=form, report=report), status=status
        )


def roster_template(request):
    """An empty roster with the expected columns and one example row, for Excel."""
    if not request.user.has_perm(IMPORT_PERMISSION):
        raise PermissionDenied
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["사번", "이름", "이메일", "팀", "채널", "스킬", "투입일", "상태"])
    writer.writerow(
        [
            "A0001",
            "홍길동",
            "gildong@example.com",
            "SEL1",
            "전화, 채팅",
            "환불, VIP",
            "2026-12-01",
            "재직",
        ]
    )
    # The BOM makes Korean Excel open the file as UTF-8.
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="roster-template.csv"'
    return response
