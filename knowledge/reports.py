"""The admin side of verification: "Mark as verified", and the report of pages overdue
for review (live knowledge pages past their review date, with their owner, last
verification, due date and days overdue; filters by owner and section).

A Wagtail ``ReportView`` with its filters and CSV/XLSX export, through
``portal.tabular.InertSpreadsheetExportMixin``: text a spreadsheet would run stays text.
The stale-content report, which reads notices, is the notices app's (``notices.reports``).
"""

import django_filters
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as format_date
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import Column, NumberColumn, TitleColumn
from wagtail.admin.utils import get_valid_next_url_from_request
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.reports import ReportView
from wagtail.models import Page

from portal.staff import ClientStaffOnlyMixin
from portal.tabular import InertSpreadsheetExportMixin

from . import verification
from .models import KnowledgeIndexPage, KnowledgePage

STEPLEN = Page.steplen


def local_minute(value):
    """An instant as a spreadsheet shows it: local time, to the minute, no zone."""
    if value is None:
        return None
    return timezone.localtime(value).replace(second=0, microsecond=0, tzinfo=None)


def shown(value, fmt="Y-m-d") -> str:
    return format_date(value, fmt) if value else ""


def edit_url(page_id) -> str:
    return reverse("wagtailadmin_pages:edit", args=[page_id])


def owners_by_id(ids):

    ids = {pk for pk in ids if pk}
    return get_user_model().objects.in_bulk(ids) if ids else {}


def owner_display(owner_id, owner_name, owners) -> str:
    """The content owner's name, else the free-text owner."""
    owner = owners.get(owner_id)
    return owner.get_full_name() if owner else (owner_name or "")


class ReviewOverdueFilterSet(WagtailFilterSet):
    owner = django_filters.ModelChoiceFilter(
        label=_("Owner"),
        empty_label=_("Any owner"),
        queryset=lambda request: verification.client_staff().order_by("name", "username"),
        method="filter_owner",
    )
    section = django_filters.ModelChoiceFilter(
        label=_("Section"),
        empty_label=_("All sections"),
        queryset=lambda request: KnowledgeIndexPage.objects.order_by("path"),
        method="filter_section",
    )

    class Meta:
        model = Page
        fields = []

    def filter_owner(self, queryset, name, value):
        return queryset.filter(review_owner_id=value.pk)

    def filter_section(self, queryset, name, value):
        # The section and everything below it.
        return queryset.filter(path__startswith=value.path)


class ReviewOverdueReport(ClientStaffOnlyMixin, InertSpreadsheetExportMixin, ReportView):
    page_title = _("Pages overdue for review")
    header_icon = "time"
    index_url_name = "knowledge_review_overdue"
    index_results_url_name = "knowledge_review_overdue_results"
    filterset_class = ReviewOverdueFilterSet
    default_ordering = "review_due_at"
    no_results_message = _("No page is overdue for review.")
    model = Page
    columns = [
        TitleColumn("title", label=_("Page"), get_url=lambda page: edit_url(page.pk)),
        Column("section_title", label=_("Section")),
        Column("owner_display", label=_("Owner")),
        Column(
            "last_verified",
            label=_("Last verified"),
            accessor=lambda page: shown(page.last_verified_on),
            sort_key="review_base",
        ),
        Column(
            "due",
            label=_("Review due"),
            accessor=lambda page: shown(page.review_due_on),
            sort_key="review_due_at",
        ),
        NumberColumn("days_overdue", label=_("Days overdue")),
    ]
    list_export = [
        "title",
        "section_title",
        "owner_display",
        "last_verified_on",
        "review_due_on",
        "days_overdue",
        "edit_url",
    ]
    export_headings = {
        "title": _("Page"),
        "section_title": _("Section"),
        "owner_display": _("Owner"),
        "last_verified_on": _("Last verified"),
        "review_due_on": _("Review due"),
        "days_overdue": _("Days overdue"),
        "edit_url": _("Edit link"),
    }

    def get_filename(self):
        return f"review-overdue-{timezone.localdate():%Y-%m-%d}"

    def get_base_queryset(self):
        return verification.review_pages().filter(review_due_at__lte=timezone.now())

    def decorate_paginated_queryset(self, object_list):
        # Owners and sections for the rows shown: two queries, whatever the page size.
        pages = list(object_list)
        owners = owners_by_id(page.review_owner_id for page in pages)
        sections = dict(
            KnowledgeIndexPage.objects.filter(
                path__in={page.path[:-STEPLEN] for page in pages}
            ).values_list("path", "title")
        )
        today = timezone.localdate()
        for page in pages:
            page.section_title = sections.get(page.path[:-STEPLEN], "")
            page.owner_display = owner_display(page.review_owner_id, page.review_owner_name, owners)
            page.last_verified_on = timezone.localdate(page.review_base)
            page.review_due_on = timezone.localdate(page.review_due_at)
            page.days_overdue = verification.days_overdue(page.review_due_at, today)
            page.edit_url = self.request.build_absolute_uri(edit_url(page.pk))
        return object_list


class VerifyPageView(ClientStaffOnlyMixin, WagtailAdminTemplateMixin, TemplateView):
    """The owner or a publisher confirms that the live page is still true ("Mark as
    verified").

    GET asks, POST records (with Django's CSRF check); no revision is made."""

    template_name = "knowledge/admin/verify_confirm.html"
    page_title = _("Mark as verified")
    header_icon = "success"
    http_method_names = ["get", "post"]

    def dispatch(self, request, page_id):
        page = get_object_or_404(Page, pk=page_id).specific
        if not isinstance(page, KnowledgePage):
            raise Http404
        self.page = page
        if not verification.can_verify(request.user, page):
            raise PermissionDenied
        return super().dispatch(request, page_id)

    def get_page_subtitle(self):
        return self.page.get_admin_display_title()

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": edit_url(self.page.pk), "label": self.page.get_admin_display_title()},
            {"url": "", "label": self.get_header_title()},
        ]

    def next_url(self):
        return get_valid_next_url_from_request(self.request) or edit_url(self.page.pk)

    def get_context_data(self, **kwargs):
        return super().get_context_data(page=self.page, next_url=self.next_url(), **kwargs)

    def post(self, request, page_id):
        if not self.page.live:
            messages.error(request, gettext("Only a published page can be verified."))
        else:
            verification.verify(self.page, request.user)
            messages.success(
                request,
                gettext("“%(title)s” is verified. Its next review is due on %(date)s.")
                % {
                    "title": self.page.title,
                    "date": shown(timezone.localdate(self.page.review_due)),
                },
            )
        return redirect(self.next_url())
