"""The decisions' measure for the KPI board: decisions kept within the policies' limits."""

from django.db.models import Count, Q

from portal.measures import register_measure
from portal.periods import Measures, Period, bucketed, tabulate

from .models import Decision


@register_measure("decisions_within_limits")
def decisions_within_limits(vendor_ids: list[int], periods: list[Period]) -> Measures:
    """Decisions within the policy's limits.

    Of the decisions the vendor's agents made in the period (recorded or refused, by the
    local date they were decided), the share recorded: within the policy's amount limit
    and times per customer, rather than refused at a limit and sent up the escalation
    route.
    """
    # The board's caller has chosen the vendors the viewer may see: counted as asked.
    decisions = Decision.objects.unscoped().filter(agent__vendor_id__in=vendor_ids)
    rows = (
        bucketed(decisions, "decided_at", periods)
        .values("agent__vendor_id", "period")
        .annotate(
            denominator=Count("pk"),
            numerator=Count("pk", filter=Q(outcome=Decision.Outcome.RECORDED)),
        )
        .order_by()
    )
    return tabulate(rows, vendor_ids, periods, vendor="agent__vendor_id")
