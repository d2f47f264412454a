"""The notices' measure for the KPI board: acknowledgements made on time."""

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from portal.measures import register_measure
from portal.periods import Measures, Period, bucketed, tabulate

from .inbox import newer_material_version
from .models import Acknowledgement, Delivery


@register_measure("on_time_acknowledgement")
def on_time_acknowledgement(vendor_ids: list[int], periods: list[Period]) -> Measures:
    """Acknowledgements due in the period that were made on time.

    Of the deliveries to the vendor's people of a notice due in the period (its
    "acknowledge by" falls in the period; the notice asking for an acknowledgement,
    live or since expired; the notice's current material version, which is the one an agent can
    still confirm), the share acknowledged on time: the acknowledgement's own ``on_time``,
    recorded and attested when it was made (by the due date), the same fact the notice's
    status report counts as late or not. A delivery counts once it is settled: its due
    date has passed, or it was acknowledged; one still open before its due date is not a
    miss yet, so the current period is not shown lower than it is.
    """
    now = timezone.now()
    acknowledgement = Acknowledgement.objects.unscoped().filter(
        agent=OuterRef("agent"), version=OuterRef("version")
    )
    # The board's caller has chosen the vendors the viewer may see: counted as asked.
    deliveries = (
        Delivery.objects.unscoped()
        .filter(
            # Live or not: a promotion's notice unpublished when it expired still counts
            # in the months it was due, which must not change afterwards.
            agent__vendor_id__in=vendor_ids,
            notice__acknowledgement_required=True,
        )
        .exclude(Exists(newer_material_version()))
        .annotate(
            acknowledged=Exists(acknowledgement),
            on_time=Exists(acknowledgement.filter(on_time=True)),
        )
        .filter(Q(notice__acknowledge_by__lte=now) | Q(acknowledged=True))
    )
    rows = (
        bucketed(deliveries, "notice__acknowledge_by", periods)
        .values("agent__vendor_id", "period")
        .annotate(denominator=Count("pk"), numerator=Count("pk", filter=Q(on_time=True)))
        .order_by()
    )
    return tabulate(rows, vendor_ids, periods, vendor="agent__vendor_id")
