"""A panel of the notice editor: how many agents and cohorts a readiness-counting notice
holds back, so the publisher sees the weight of the box they tick."""

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import Panel

from .audience import audience_agents


class ReadinessImpactPanel(Panel):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("heading", _("Effect on go-live readiness"))
        super().__init__(*args, **kwargs)

    class BoundPanel(Panel.BoundPanel):
        template_name = "notices/admin/readiness_impact_panel.html"

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            context["impact"] = readiness_impact(self.instance) if self.instance.pk else None
            context["counts"] = bool(self.instance.counts_for_readiness)
            return context


def readiness_impact(notice) -> dict:
    """Agents of the notice's saved audience who are not live yet, and their cohorts
    (team and go-live date): those whose readiness a counting notice changes."""

    today = timezone.localdate()
    waiting = (
        audience_agents(notice)
        .frontline()
        .filter(Q(go_live_date__isnull=True) | Q(go_live_date__gte=today))
    )
    cohorts = set(waiting.values_list("vendor_id", "team_id", "go_live_date"))
    return {"agents": waiting.count(), "cohorts": len(cohorts)}
