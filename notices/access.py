"""Who may read a notice: the notices' rule of ``portal.visibility``, and what the notice
page needs to know about its reader.

An agent reads the notices addressed to them (delivered, or in the audience now); a team
lead or vendor manager, the notices addressed to somebody they look after; client staff,
every notice.
"""

from dataclasses import dataclass

from django.http import Http404

from portal.organisation.models import AgentProfile
from portal.organisation.scoping import viewer_scope
from portal.visibility import register_page_rule

from .acknowledging import concerns
from .models import ChangeNoticePage
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
    if not user.is_authenticated:
        return None
    return AgentProfile.objects.for_user(user).filter(user=user).select_related("user").first()


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
    # A handful of notices at a time (links on a page), each checked as its page is.
    return {
        notice.pk
        for notice in ChangeNoticePage.objects.filter(pk__in=page_ids)
        if reader_of(user, notice) is not None
    }
