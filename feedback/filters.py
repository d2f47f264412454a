"""The review queue's filters: kind, status, page, vendor, owner and age."""

from datetime import timedelta

import django_filters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import WagtailFilterSet
from wagtail.models import Page

from knowledge.verification import client_staff
from portal.organisation.models import Vendor

from .models import FeedbackItem, Kind, Status

AGES = [
    ("7", _("Older than 7 days")),
    ("30", _("Older than 30 days")),
    ("90", _("Older than 90 days")),
]


class FeedbackFilterSet(WagtailFilterSet):
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=Kind.choices)
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Status.choices)
    page = django_filters.ModelChoiceFilter(
        label=_("Page"),
        # Pages feedback was raised on: a chooser of the whole tree would list thousands.
        queryset=lambda request: Page.objects.filter(
            pk__in=FeedbackItem.objects.for_user(request.user).values("page_id")
        ).order_by("title"),
    )
    vendor = django_filters.ModelChoiceFilter(
        label=_("Vendor"),
        field_name="agent__vendor",
        queryset=lambda request: Vendor.objects.for_user(request.user).order_by("name"),
    )
    owner = django_filters.ModelChoiceFilter(
        label=_("Owner"),
        queryset=lambda request: client_staff().order_by("name", "username"),
    )
    age = django_filters.ChoiceFilter(label=_("Age"), choices=AGES, method="filter_age")

    class Meta:
        model = FeedbackItem
        fields = ["kind", "status", "page", "vendor", "owner"]

    def filter_age(self, queryset, name, value):
        return queryset.filter(created_at__lt=timezone.now() - timedelta(days=int(value)))
