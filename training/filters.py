"""The filters of the go-live readiness page and its export."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from portal.listing import AgentFilterSet

STATES = [
    ("all", _("Everyone")),
    ("not_ready", _("Not ready")),
    ("ready", _("Ready")),
]


class ReadinessFilter(AgentFilterSet):
    go_live = django_filters.DateFilter(
        field_name="go_live_date",
        label=_("Go-live date"),
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date", "id": "f-go-live"}),
    )
    state = django_filters.ChoiceFilter(
        choices=STATES, label=_("Show"), empty_label=None, method="applied_by_the_view"
    )
    defaults = {"state": "all"}

    def shown(self, readiness: list) -> list:
        """The agents' readiness (``readiness_of``) that the state filter keeps."""
        state = self.value("state")
        if state == "all":
            return readiness
        return [item for item in readiness if item.ready == (state == "ready")]
