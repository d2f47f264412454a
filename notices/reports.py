"""The stale-content report: pages linked from notices in effect whose content has not
changed since before the notice was published (unless the notice announces a change of
that page still to come). Client staff only; exported through
``portal.tabular.InertSpreadsheetExportMixin``."""

from django.db.models import Exists, F, OuterRef
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.views.reports import ReportView

from knowledge import verification
from knowledge.reports import (
    edit_url,
    local_minute,
    owner_display,
    owners_by_id,
    shown,
)
from portal.staff import ClientStaffOnlyMixin
from portal.tabular import InertSpreadsheetExportMixin

from .models import AffectedPage, Change, in_effect


def stale_links(now=None):
    """Links from notices in effect to live pages last published before the notice was
    first published, unless the notice announces a change of that page (not withdrawn)."""
    now = now or timezone.now()
    # A page whose change this notice announces is what the notice says, or will be.
    announced = Change.objects.filter(
        notice=OuterRef("notice"), page=OuterRef("page"), withdrawn_at__isnull=True
    )
    return (
        AffectedPage.objects.filter(
            in_effect(now, "notice__"),
            page__live=True,
            page__last_published_at__lt=F("notice__first_published_at"),
        )
        .exclude(Exists(announced))
        .annotate(
            review_owner_id=verification.across("content_owner", via="page__"),
            review_owner_name=verification.across("owner_name", via="page__"),
        )
        .select_related("notice", "page")
    )


class StaleContentReport(ClientStaffOnlyMixin, InertSpreadsheetExportMixin, ReportView):
    page_title = _("Stale content")
    header_icon = "warning"
    index_url_name = "notices_stale_content"
    index_results_url_name = "notices_stale_content_results"
    default_ordering = "notice__first_published_at"
    no_results_message = _("Every page linked from a notice in effect has changed since.")
    model = AffectedPage
    columns = [
        TitleColumn(
            "page_title",
            label=_("Page"),
            accessor="page.title",
            get_url=lambda link: edit_url(link.page_id),
        ),
        Column("owner_display", label=_("Owner")),
        Column(
            "page_changed",
            label=_("Page last changed"),
            accessor=lambda link: shown(link.page_changed_at, "Y-m-d H:i"),
            sort_key="page__last_published_at",
        ),
        TitleColumn(
            "notice_title",
            label=_("Notice"),
            accessor="notice.title",
            get_url=lambda link: edit_url(link.notice_id),
        ),
        Column(
            "notice_published",
            label=_("Notice published"),
            accessor=lambda link: shown(link.notice_published_at, "Y-m-d H:i"),
            sort_key="notice__first_published_at",
        ),
    ]
    list_export = [
        "page.title",
        "owner_display",
        "page_changed_at",
        "notice.title",
        "notice_published_at",
        "edit_url",
    ]
    export_headings = {
        "page.title": _("Page"),
        "owner_display": _("Owner"),
        "page_changed_at": _("Page last changed"),
        "notice.title": _("Notice"),
        "notice_published_at": _("Notice published"),
        "edit_url": _("Edit link"),
    }

    def get_filename(self):
        return f"stale-content-{timezone.localdate():%Y-%m-%d}"

    def get_base_queryset(self):
        return stale_links()

    def decorate_paginated_queryset(self, object_list):
        links = list(object_list)
        owners = owners_by_id(link.review_owner_id for link in links)
        for link in links:
            link.owner_display = owner_display(link.review_owner_id, link.review_owner_name, owners)
            link.page_changed_at = local_minute(link.page.last_published_at)
            link.notice_published_at = local_minute(link.notice.first_published_at)
            link.edit_url = self.request.build_absolute_uri(edit_url(link.page_id))
        return object_list
