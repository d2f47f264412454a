"""Managers' listings of agents: filters limited to the viewer's scope, and one view that
serves a listing in the portal, in the Wagtail admin and as a CSV/XLSX export.

The filters are a django-filter ``FilterSet`` whose vendor and team choices are the ones
the viewer may see (``viewer_scope``): another vendor's or team's id is not a choice, so
it fails validation by construction, and the listing answers 404 as for any id outside
the scope, without a query that could leak or fail.

The listings are dashboards (totals, a chart, a breakdown, actions) rather than tables of
one model, in the portal and the admin alike, and their exports keep their own addresses
(``…/export.csv``), Excel's BOM and sheet names; so they share ``ManagerListing`` rather
than Wagtail's ``ReportView`` (which the stale-content report uses, with
``InertSpreadsheetExportMixin``). Every export goes through ``portal.tabular.respond``.
"""

from functools import cached_property

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import ModelChoiceIterator
from django.http import Http404
from django.urls import path, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.views.generic import View
from django.views.generic.base import TemplateResponseMixin

from .organisation.models import AgentProfile, Team, Vendor
from .organisation.scoping import viewer_scope
from .organisation.views import agent_managers_only
from .staff import client_staff_only
from .tabular import agent_table, respond


class _ListedChoices(ModelChoiceIterator):
    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for row in self.field.rows:
            yield self.choice(row)

    def __len__(self):
        return len(self.field.rows) + (self.field.empty_label is not None)

    def __bool__(self):
        return self.field.empty_label is not None or bool(self.field.rows)


class ListedChoiceField(forms.ModelChoiceField):
    """A choice among rows read once: the select shows them and a submitted id is checked
    against them, with no further query. An id that is not among them is invalid."""

    iterator = _ListedChoices

    @cached_property
    def rows(self) -> list:
        return list(self.queryset)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        for row in self.rows:
            if str(row.pk) == str(value):
                return row
        raise ValidationError(
            self.error_messages["invalid_choice"], code="invalid_choice", params={"value": value}
        )


class ScopedChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = ListedChoiceField


def _vendors(request):
    return Vendor.objects.for_user(request.user).order_by("name")


def _teams(request):
    return (
        Team.objects.for_user(request.user)
        .select_related("vendor")
        .order_by("vendor__name", "name")
    )


class FilterForm(forms.Form):
    """Filters above a listing: ids ``f-<name>``, labels without a colon."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "f-%s")
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class AgentFilterSet(django_filters.FilterSet):
    """The agents a manager may see (``queryset``), narrowed by vendor and team among the
    viewer's own; subclasses add their filters and ``defaults`` (the value of a filter
    that is absent or invalid). ``request`` is required: it decides the choices."""

    vendor = ScopedChoiceFilter(queryset=_vendors, label=_("Vendor"), empty_label=_("All vendors"))
    team = ScopedChoiceFilter(queryset=_teams, label=_("Team"), empty_label=_("All teams"))

    #: The value of a filter that is absent or invalid, as its query-string text.
    defaults: dict[str, str] = {}

    class Meta:
        form = FilterForm

    def __init__(self, data=None, queryset=None, *, request, **kwargs):
        if queryset is None:
            queryset = AgentProfile.objects.for_user(request.user)
        if data is not None and self.defaults:
            # The form shows a default as chosen, like a value in the query string.
            data = data.copy()
            for name, value in self.defaults.items():
                data[name] = data.get(name) or value
        super().__init__(data, queryset, request=request, **kwargs)
        self.scope = viewer_scope(request.user)
        self.form.fields["team"].label_from_instance = self._team_label

    def _team_label(self, team) -> str:
        return f"{team.vendor.name} · {team.name}" if self.show_vendor else team.name

    @property
    def show_vendor(self) -> bool:
        """Whether the viewer sees more than one vendor (else the vendor goes unsaid)."""
        return len(self.form.fields["vendor"].rows) > 1

    def outside_scope(self) -> bool:
        """A vendor or team was asked for that the viewer may not see (or no such id)."""
        return bool({"vendor", "team"} & set(self.errors))

    def value(self, name: str):
        """The filter's valid value, else its default (``None`` when it has none)."""
        self.errors  # noqa: B018 - validates the form
        value = getattr(self.form, "cleaned_data", {}).get(name)
        return value if value not in (None, "") else self.defaults.get(name)

    def pk(self, name: str) -> int | None:
        row = self.value(name)
        return row.pk if row is not None else None

    @property
    def selected(self) -> dict[str, str]:
        """The valid filters and the defaults, as query-string text."""
        selected = {}
        for name in self.filters:
            value = self.value(name)
            if value in (None, ""):
                continue
            selected[name] = str(getattr(value, "pk", value))
        return selected

    def query_string(self, **more) -> str:
        """``selected`` (and ``more``) for a link that keeps the filters: paging, export."""
        return urlencode({**self.selected, **more})

    def applied_by_the_view(self, queryset, name, value):
        """For a filter the view applies itself (to rows that are not a queryset)."""
        return queryset


class ManagerListing(TemplateResponseMixin, View):
    """A manager's listing: its ``filterset_class`` bound to the query string, then the
    page (``template_name``; the admin passes its own) or, with ``fmt`` in the URL, the
    export of ``get_export_items()`` in ``get_export_columns()`` after the agent columns.

    ``in_portal()`` serves vendor managers and team leads (and client staff);
    ``admin_path(...)`` serves client staff in the Wagtail admin.
    """

    filterset_class: type[AgentFilterSet] | None = None
    #: The portal's URL of the export (also linked from the admin's page), and its sheet.
    export_url_name: str | None = None
    export_sheet = "export"
    page_title = ""
    header_icon = ""  # in the admin's header

    @classmethod
    def in_portal(cls):
        return agent_managers_only(cls.as_view())

    @classmethod
    def admin_path(cls, route: str, name: str, elsewhere: str):
        """This listing at ``route`` of the admin, named ``name``, with the portal's
        template of the same name in an ``admin/`` folder; for client staff only, anyone
        else goes to the portal's URL named ``elsewhere``."""
        app, _slash, template = cls.template_name.partition("/")
        view = cls.as_view(template_name=f"{app}/admin/{template}")
        return path(route, client_staff_only(view, elsewhere), name=name)

    def get(self, request, *args, fmt=None, **kwargs):
        self.filters = self.get_filterset()
        if fmt is None:
            return self.render_to_response(self.get_context_data())
        header, rows = agent_table(
            self.get_export_items(), self.get_export_columns(), self.export_agent
        )
        return respond(header, rows, self.get_export_filename(), fmt, self.export_sheet)

    def get_filterset(self) -> AgentFilterSet | None:
        if self.filterset_class is None:
            return None
        filters = self.filterset_class(self.request.GET, request=self.request)
        if filters.outside_scope():
            raise Http404
        return filters

    def get_context_data(self, **context) -> dict:
        context.update(view=self, page_title=self.get_page_title(), header_icon=self.header_icon)
        if self.filters is not None:
            context["filters"] = self.filters
            context["query"] = self.filters.query_string()
            context["show_vendor"] = self.filters.show_vendor
        if self.export_url_name:
            args = self.export_url_args()
            context["export_links"] = [
                (label, reverse(self.export_url_name, args=[*args, fmt]) + "?" + context["query"])
                for label, fmt in (("CSV", "csv"), ("XLSX", "xlsx"))
            ]
        return context

    def get_page_title(self) -> str:
        return self.page_title

    def export_url_args(self) -> list:
        return []

    def get_export_items(self):
        raise Http404

    def get_export_columns(self) -> list[tuple]:
        """(heading, cell of an item) pairs, after the agent columns."""
        return []

    def export_agent(self, item):
        """The agent an exported item is about."""
        return item.agent

    def get_export_filename(self) -> str:
        return "export"
