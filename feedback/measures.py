"""Feedback's measure for the KPI board: how much of what agents raised was answered."""

from django.db.models import Count, Q

from portal.measures import register_measure
from portal.periods import Measures, Period, bucketed, tabulate

from .models import FeedbackItem, Status

#: An item the client has settled: it will not be looked at again unless reopened.
CLOSED = (Status.ACCEPTED, Status.DECLINED, Status.DONE)


@register_measure("feedback_resolved")
def feedback_resolved(vendor_ids: list[int], periods: list[Period]) -> Measures:
    """Feedback raised in the period that is closed now.

    Of the feedback items the vendor's agents raised in the period (by the local date
    they raised it), the share closed now: accepted, declined or done, rather than new
    or in review. It is the state now, not at the period's end: the portal keeps when an
    item was last answered (a later reply moves it), not when it was closed, so an item
    closed next month raises this month's share, and one reopened lowers it.
    """
    # The board's caller has chosen the vendors the viewer may see: counted as asked.
    items = FeedbackItem.objects.unscoped().filter(agent__vendor_id__in=vendor_ids)
    rows = (
        bucketed(items, "created_at", periods)
        .values("agent__vendor_id", "period")
        .annotate(
            denominator=Count("pk"),
            numerator=Count("pk", filter=Q(status__in=CLOSED)),
        )
        # The items' own ordering (newest first) would split the groups.
        .order_by()
    )
    return tabulate(rows, vendor_ids, periods, vendor="agent__vendor_id")
