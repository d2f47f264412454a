"""Per-notice acknowledgement status for managers, in a fixed number of queries.

Everything is counted in the database, grouped by vendor and team, for the current
material version and within the viewer's scope (client staff: everyone; a vendor
manager: their vendor; a team lead: their team).
"""

from dataclasses import dataclass, field

from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Q
from django.db.models.functions import TruncDate
from django.http import Http404
from django.utils import timezone

from portal.organisation.models import AgentProfile
from portal.organisation.scoping import Reach, viewer_scope

from .audience import audience_agents
from .inbox import acknowledgement_of_delivery
from .models import Acknowledgement, ChangeNoticePage, Delivery, NoticeVersion
from .versions import current_material_version

ROWS_PER_PAGE = 50


@dataclass
class Counts:
    targeted: int = 0
    delivered: int = 0
    emailed: int = 0
    read: int = 0
    acknowledged: int = 0
    late: int = 0
    overdue: int = 0

    @property
    def acknowledged_percent(self) -> int:
        return round(100 * self.acknowledged / self.delivered) if self.delivered else 0


@dataclass
class GroupCounts(Counts):
    vendor: str = ""
    team: str = ""
    vendor_id: int | None = None
    team_id: int | None = None


@dataclass
class NoticeStatus:
    notice: ChangeNoticePage
    version: object
    totals: Counts
    by_vendor: list[GroupCounts] = field(default_factory=list)
    by_team: list[GroupCounts] = field(default_factory=list)
    rows: object = None  # a Paginator page of deliveries
    chart: list[tuple] = field(default_factory=list)  # (date, acknowledged that day, total)
    is_past_due: bool = False


def manageable_notice(user, notice_id: int) -> ChangeNoticePage:
    """The notice if ``user`` manages somebody it was addressed to; otherwise 404."""
    scope = viewer_scope(user)
    if not scope.sees_agents:
        raise Http404
    # A draft that was never published has no status, and its title is not news yet.
    notice = (
        ChangeNoticePage.objects.filter(pk=notice_id)
        .filter(Exists(NoticeVersion.objects.filter(notice=OuterRef("pk"))))
        .first()
    )
    if notice is None:
        raise Http404
    if scope.is_client_staff:
        return notice
    delivered = Delivery.objects.for_scope(scope).filter(notice=notice).exists()
    if delivered:
        return notice
    # Not yet delivered (the fan-out may still be running): the live notice's audience.
    mine = AgentProfile.objects.for_scope(scope).values("pk")
    if notice.live and audience_agents(notice).filter(pk__in=mine).exists():
        return notice
    raise Http404


def scoped_deliveries(notice, version, scope, *, vendor_id=None, team_id=None):
    deliveries = (
        Delivery.objects.for_scope(scope)
        .filter(version=version)
        .annotate(acknowledged=Exists(acknowledgement_of_delivery()))
    )
    if vendor_id:
        deliveries = deliveries.filter(agent__vendor_id=vendor_id)
    if team_id:
        deliveries = deliveries.filter(agent__team_id=team_id)
    return deliveries


def _counted(deliveries, past_due: bool):
    late = Acknowledgement.objects.unscoped().filter(
        agent=OuterRef("agent"), version=OuterRef("version"), on_time=False
    )
    return (
        deliveries.annotate(late=Exists(late))
        .values("agent__vendor_id", "agent__vendor__name", "agent__team_id", "agent__team__name")
        .annotate(
            delivered=Count("pk"),
            emailed=Count("pk", filter=Q(email_status="sent")),
            read=Count("pk", filter=Q(read_at__isnull=False)),
            acked=Count("pk", filter=Q(acknowledged=True)),
            late_acks=Count("pk", filter=Q(late=True)),
        )
        .order_by("agent__vendor__name", "agent__team__name")
    )


def notice_status(
    user, notice, *, vendor_id=None, team_id=None, state="unacknowledged", page=1
) -> NoticeStatus:
    scope = viewer_scope(user)
    version = current_material_version(notice)
    now = timezone.now()
    past_due = bool(notice.acknowledge_by and notice.acknowledge_by < now)
    status = NoticeStatus(notice=notice, version=version, totals=Counts(), is_past_due=past_due)
    if version is None:
        return status

    mine = AgentProfile.objects.for_scope(scope)
    if vendor_id:
        mine = mine.filter(vendor_id=vendor_id)
    if team_id:
        mine = mine.filter(team_id=team_id)
    status.totals.targeted = audience_agents(notice).filter(pk__in=mine.values("pk")).count()

    deliveries = scoped_deliveries(notice, version, scope, vendor_id=vendor_id, team_id=team_id)
    vendors, teams = {}, {}
    for row in _counted(deliveries, past_due):
        group = GroupCounts(
            delivered=row["delivered"],
            emailed=row["emailed"],
            read=row["read"],
            acknowledged=row["acked"],
            late=row["late_acks"],
            overdue=(row["delivered"] - row["acked"]) if past_due else 0,
            vendor=row["agent__vendor__name"],
            vendor_id=row["agent__vendor_id"],
            team=row["agent__team__name"] or "",
            team_id=row["agent__team_id"],
        )
        teams[(group.vendor_id, group.team_id)] = group
        vendor = vendors.setdefault(
            group.vendor_id, GroupCounts(vendor=group.vendor, vendor_id=group.vendor_id)
        )
        for counts in (vendor, status.totals):
            counts.delivered += group.delivered
            counts.emailed += group.emailed
            counts.read += group.read
            counts.acknowledged += group.acknowledged
            counts.late += group.late
            counts.overdue += group.overdue
    status.by_vendor = list(vendors.values())
    status.by_team = list(teams.values())

    listed = filter_state(deliveries, state, past_due).select_related(
        "agent__user", "agent__team", "agent__vendor"
    )
    listed = listed.order_by("agent__vendor__name", "agent__team__name", "agent__user__name")
    status.rows = Paginator(listed, ROWS_PER_PAGE).get_page(page)

    per_day = (
        Acknowledgement.objects.for_scope(scope)
        .filter(version=version, agent__in=deliveries.values("agent"))
        .annotate(day=TruncDate("acknowledged_at"))
        .values("day")
        .annotate(n=Count("pk"))
        .order_by("day")
    )
    total = 0
    for row in per_day:
        total += row["n"]
        status.chart.append((row["day"], row["n"], total))
    return status


def filter_state(deliveries, state: str, past_due: bool):
    if state == "acknowledged":
        return deliveries.filter(acknowledged=True)
    if state == "overdue":
        return deliveries.filter(acknowledged=False) if past_due else deliveries.none()
    if state == "unread":
        return deliveries.filter(read_at__isnull=True, acknowledged=False)
    if state == "all":
        return deliveries
    return deliveries.filter(acknowledged=False)


def scope_reach_label(user) -> str:
    scope = viewer_scope(user)
    return {Reach.ALL: "all", Reach.VENDOR: "vendor", Reach.TEAM: "team"}.get(scope.reach, "")
