"""Filters of the actuals listing: vendor (among those the viewer may see), source, and
whether the KPI is weekly or monthly."""

import django_filters
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import WagtailFilterSet

from portal.organisation.models import Vendor

from .models import KpiActual, Source
from .periods import Period


class KpiActualFilterSet(WagtailFilterSet):
    vendor = django_filters.ModelChoiceFilter(
        label=_("Vendor"),
        field_name="kpi__contract__vendor",
        queryset=lambda request: Vendor.objects.for_user(request.user).order_by("name"),
    )
    source = django_filters.ChoiceFilter(label=_("Source"), choices=Source.choices)
    period = django_filters.ChoiceFilter(
        label=_("Period"), field_name="kpi__period", choices=Period.choices
    )

    class Meta:
        model = KpiActual
        fields = ["vendor", "source", "period"]
