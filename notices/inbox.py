"""An agent's notices: what the inbox lists and what the home page counts."""

from dataclasses import dataclass

from django.db.models import Count, Exists, F, OuterRef, Q
from django.utils import timezone

from .models import Acknowledgement, Delivery, NoticeVersion, in_effect


def newer_material_version():
    """For a delivery row: a later material version of its notice exists (it is stale)."""
    return NoticeVersion.objects.filter(
        notice=OuterRef("notice"), material=True, number__gt=OuterRef("version__number")
    )


def acknowledgement_of_delivery():
    """For a delivery row: its agent has acknowledged its version."""
    return Acknowledgement.objects.unscoped().filter(
        agent=OuterRef("agent"), version=OuterRef("version")
    )


def inbox(agent):
    """The agent's current deliveries: unacknowledged first, by due date, newest next.

    Each delivery is annotated with ``acknowledged``; expired promotions have left.
    """
    now = timezone.now()
    return (
        Delivery.objects.unscoped()
        .filter(in_effect(now, "notice__"), agent=agent)
        .exclude(Exists(newer_material_version()))
        .annotate(acknowledged=Exists(acknowledgement_of_delivery()))
        .select_related("notice", "version")
        .order_by(
            "acknowledged",
            F("notice__acknowledge_by").asc(nulls_last=True),
            "-created_at",
        )
    )


def waiting_for_acknowledgement(agent):
    """The agent's deliveries still asking for their confirmation, most urgent first."""
    return inbox(agent).filter(acknowledged=False, notice__acknowledgement_required=True)


@dataclass
class OpenCounts:
    to_acknowledge: int = 0
    overdue: int = 0


def open_counts(agent) -> OpenCounts:
    now = timezone.now()
    waiting = [delivery.notice.acknowledge_by for delivery in waiting_for_acknowledgement(agent)]
    return OpenCounts(
        to_acknowledge=len(waiting), overdue=sum(1 for due in waiting if due and due < now)
    )


def is_overdue(delivery, now=None) -> bool:
    due = delivery.notice.acknowledge_by
    now = now or timezone.now()
    return bool(
        delivery.notice.acknowledgement_required
        and due
        and due < now
        and not getattr(delivery, "acknowledged", False)
    )


def readiness_versions():
    """Ids of the current material versions of notices in effect that count for go-live
    readiness and ask for an acknowledgement (a subquery; a handful of rows)."""
    now = timezone.now()
    return (
        NoticeVersion.objects.filter(
            in_effect(now, "notice__"),
            material=True,
            notice__acknowledgement_required=True,
            notice__counts_for_readiness=True,
        )
        .exclude(
            Exists(
                NoticeVersion.objects.filter(
                    notice=OuterRef("notice"), material=True, number__gt=OuterRef("number")
                )
            )
        )
        .values("pk")
    )


def _not_yet_live_when_published():
    """A delivery counts for readiness unless its agent had already gone live when the
    version was published: a cohort already at work is not dragged back."""
    return (
        Q(agent__go_live_date__isnull=True)
        | Q(agent__go_live_date__gte=timezone.localdate())
        | Q(version__published_at__date__lte=F("agent__go_live_date"))
    )


def _readiness_deliveries(agents):
    """Deliveries that count for readiness, for ``agents`` (a queryset or ids)."""
    return Delivery.objects.unscoped().filter(
        _not_yet_live_when_published(), agent__in=agents, version__in=readiness_versions()
    )


def _required_deliveries(agents):
    """Deliveries that count for readiness, each annotated with ``acknowledged``."""
    return _readiness_deliveries(agents).annotate(
        acknowledged=Exists(acknowledgement_of_delivery())
    )


def acknowledgement_counts(agents) -> dict[int, tuple[int, int]]:
    """Per agent id: (notices they must acknowledge now, how many they have).

    Two grouped queries whatever the number of agents (go-live readiness reads it):
    deliveries of the current versions, and acknowledgements of those versions.
    """

    versions = readiness_versions()
    delivered = dict(
        _readiness_deliveries(agents).values_list("agent_id").annotate(n=Count("pk")).order_by()
    )
    acknowledged = dict(
        Acknowledgement.objects.unscoped()
        .filter(_not_yet_live_when_published(), agent__in=agents, version__in=versions)
        .values_list("agent_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    # An acknowledgement given before its delivery was written counts once it arrives.
    return {
        agent_id: (required, min(required, acknowledged.get(agent_id, 0)))
        for agent_id, required in delivered.items()
    }


def unacknowledged_notices(agents) -> dict[int, list]:
    """Per agent id: the deliveries still waiting for their acknowledgement, due first."""
    rows = (
        _required_deliveries(agents)
        .filter(acknowledged=False)
        .select_related("notice")
        .order_by(F("notice__acknowledge_by").asc(nulls_last=True), "pk")
    )
    result: dict[int, list] = {}
    for delivery in rows:
        result.setdefault(delivery.agent_id, []).append(delivery)
    return result
