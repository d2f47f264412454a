"""Who may read a notice: the notices' rule of ``portal.visibility``, and what the notice
page needs to know about its reader.

An agent reads the notices addressed to them (delivered, or in the audience now); a team
lead or vendor manager, the notices addressed to somebody they look after; client staff,
every notice.
"""

from dataclasses import dataclass

from django.db.models import Exists, OuterRef
from django.http import Http404

from portal.audiences import audiences_of
from portal.organisation.models import AgentProfile
from portal.organisation.scoping import viewer_scope
from portal.prepared import PreparedQuery, instance, loaded_fields
from portal.visibility import register_page_rule

from .acknowledging import concerns
from .models import ChangeNoticePage, Delivery, NoticeVersion
from .status import manageable_notice


@dataclass(frozen=True)
class Reader:
    #: The reader's own agent profile, when the notice is addressed to them.
    profile: AgentProfile | None
    manages: bool

    @property
    def addressed(self) -> bool:
        return self.profile is not None


def own_profile(user):
    """The user's own agent profile while they work for a vendor, else None.

    The filter on the user is the access check: one's own profile needs no viewer
    scope, so a request that needs nothing else (an acknowledgement) never computes it.
    The same rows as ``for_user(user).filter(user=user)``: a profile that left sees
    nothing."""
    if not user.is_authenticated or not user.is_active:
        return None
    profile = (
        AgentProfile.objects.unscoped()
        .filter(user=user, status=AgentProfile.Status.ACTIVE)
        .order_by("pk")  # one row at most (one-to-one): no ordering by vendor and team
        .first()
    )
    if profile is not None:
        profile.user = user
    return profile


_PROFILE_FIELDS = loaded_fields(AgentProfile)

# On every acknowledgement: compiled once (``portal.prepared``).
_addressed = PreparedQuery(
    lambda notice_id, user_id: (
        Delivery.objects.unscoped()
        .filter(
            notice_id=notice_id, agent__user_id=user_id, agent__status=AgentProfile.Status.ACTIVE
        )
        .values_list("version_id", "read_at", *(f"agent__{f.name}" for f in _PROFILE_FIELDS))
    ),
    "notice_id",
    "user_id",
)


def addressee(notice, user):
    """The signed-in ``user``'s own agent profile (None when they have none, or left)
    and their deliveries of ``notice`` (as ``acknowledging.deliveries_of``): one query
    when it was delivered, the usual case for an acknowledgement."""
    rows = _addressed(notice_id=notice.pk, user_id=user.pk)
    if not rows:
        return own_profile(user), {}
    profile = instance(AgentProfile, _PROFILE_FIELDS, rows[0][2:])
    profile.user = user
    return profile, {version_id: read_at for version_id, read_at, *_ in rows}


def reader_of(user, notice) -> Reader | None:
    """How ``user`` may read ``notice``, or None when they may not."""
    if not user.is_authenticated:
        return None
    scope = viewer_scope(user)
    profile = own_profile(user)
    if profile is not None and concerns(notice, profile):
        return Reader(profile, scope.sees_agents)
    if scope.is_client_staff:
        return Reader(None, True)
    if scope.sees_agents:
        try:
            manageable_notice(user, notice.pk)
        except Http404:
            return None
        return Reader(None, True)
    return None


@register_page_rule(ChangeNoticePage)
def visible_notice_ids(user, page_ids) -> set[int]:
    """The rule of ``reader_of`` for many notices at once, in a fixed number of queries:
    search asks about every notice among its ranked candidates."""
    if not user.is_authenticated:
        return set()
    scope = viewer_scope(user)
    notices = _Notices.of(page_ids)
    if scope.is_client_staff:
        return notices.ids
    visible: set[int] = set()
    profile = own_profile(user)
    if profile is not None:
        # Addressed to them: delivered (any version), or in the audience now.
        visible |= set(
            Delivery.objects.unscoped()
            .filter(agent=profile, notice_id__in=list(notices.ids))
            .values_list("notice_id", flat=True)
        )
        mine = AgentProfile.objects.unscoped().filter(pk=profile.pk)
        visible |= notices.admitting(mine, notices.ids - visible)
    if scope.sees_agents:
        visible |= _managed(scope, notices, exclude=visible)
    return visible


def _managed(scope, notices, *, exclude: set[int]) -> set[int]:
    """``manageable_notice`` in bulk: published notices delivered to somebody in
    ``scope``, or live ones whose audience holds somebody in it (the fan-out may still
    be running)."""
    published = notices.published - exclude
    if not published:
        return set()
    delivered = set(
        Delivery.objects.for_scope(scope)
        .filter(notice_id__in=list(published))
        .values_list("notice_id", flat=True)
        .distinct()
    )
    undelivered_live = (published & notices.live) - delivered
    return delivered | notices.admitting(AgentProfile.objects.for_scope(scope), undelivered_live)


@dataclass
class _Notices:
    """What the rule needs of a batch of notices, each fact read once."""

    #: pk → audience_everyone, for every notice of the batch.
    everyone: dict[int, bool]
    live: set[int]
    #: Published at least once: a draft never published is not news yet.
    published: set[int]

    @property
    def ids(self) -> set[int]:
        return set(self.everyone)

    @classmethod
    def of(cls, page_ids) -> "_Notices":
        rows = (
            ChangeNoticePage.objects.filter(pk__in=list(page_ids))
            .annotate(published=Exists(NoticeVersion.objects.filter(notice=OuterRef("pk"))))
            .values_list("pk", "audience_everyone", "live", "published")
        )
        everyone, live, published = {}, set(), set()
        for pk, for_everyone, is_live, is_published in rows:
            everyone[pk] = for_everyone
            if is_live:
                live.add(pk)
            if is_published:
                published.add(pk)
        return cls(everyone, live, published)

    def admitting(self, agents, notice_ids: set[int]) -> set[int]:
        """The notices among ``notice_ids`` whose audience holds at least one of
        ``agents`` who is still active (the rule of ``notices.audience``)."""
        if not notice_ids:
            return set()
        # Each agent's every (vendor, team, channel, role): few distinct rows even for a
        # vendor of thousands, and enough to decide "any channel and any role" per agent.
        profiles = list(
            agents.filter(status=AgentProfile.Status.ACTIVE)
            .values_list("vendor_id", "team_id", "channels__id", "user__groups__id")
            .distinct()
        )
        found = audiences_of(ChangeNoticePage, notice_ids)
        return {
            pk
            for pk in notice_ids
            if any(
                found[pk].includes(vendor_id, team_id, [channel_id], [group_id])
                for vendor_id, team_id, channel_id, group_id in profiles
            )
        }
