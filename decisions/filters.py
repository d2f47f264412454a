"""The filters of the decision report (portal and admin) and its export."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from knowledge.models import AnswerPolicyPage
from portal.listing import AgentFilterSet, ScopedChoiceFilter

from .models import Decision


def _policies(request):
    """Policies the viewer's agents decided under: a policy limited to another vendor is
    never a choice, nor even named."""
    decided = Decision.objects.for_user(request.user).values("policy_id")
    return AnswerPolicyPage.objects.filter(pk__in=decided).order_by("title")


def _day(label):
    return django_filters.DateFilter(
        label=label,
        method="applied_by_the_view",
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
    )


class DecisionFilter(AgentFilterSet):
    policy = ScopedChoiceFilter(
        queryset=_policies,
        label=_("Policy"),
        empty_label=_("All policies"),
        method="applied_by_the_view",
    )
    outcome = django_filters.ChoiceFilter(
        choices=Decision.Outcome.choices,
        label=_("Outcome"),
        empty_label=_("Recorded and refused"),
        method="applied_by_the_view",
    )
    since = _day(_("From"))
    until = _day(_("Until"))

    def narrow(self, decisions):
        """``decisions`` (already in the viewer's scope) as the valid filters ask."""
        wanted = {
            "agent__vendor_id": self.pk("vendor"),
            "agent__team_id": self.pk("team"),
            "policy_id": self.pk("policy"),
            "outcome": self.value("outcome"),
            "decided_at__date__gte": self.value("since"),
            "decided_at__date__lte": self.value("until"),
        }
        return decisions.filter(**{key: value for key, value in wanted.items() if value})

    def outside_scope(self) -> bool:
        # A policy none of the viewer's agents decided under is not theirs to ask about.
        return super().outside_scope() or "policy" in self.errors
