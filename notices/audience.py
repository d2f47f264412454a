"""Who a notice is for, resolved from its audience fields at the moment it is used (the
rule itself is ``portal.audiences``, shared with courses)."""

from portal.audiences import Audience, audience_of
from portal.organisation.models import Team, Vendor
from portal.visibility import visible_page_ids


def audience_agents(notice):
    """Active agent profiles the notice is for (system query: no viewer scope)."""
    return audience_of(notice).agents()


def agents_in(*, everyone, vendor_ids=(), team_ids=(), channel_ids=(), role_ids=()):
    """Active agent profiles of an audience given by its choices (e.g. a form's)."""
    return Audience(
        everyone=bool(everyone),
        vendor_ids=frozenset(vendor_ids),
        team_ids=frozenset(team_ids),
        channel_ids=frozenset(channel_ids),
        role_ids=frozenset(role_ids),
    ).agents()


def is_in_audience(notice, agent) -> bool:
    return audience_agents(notice).filter(pk=agent.pk).exists()


def who_cannot_see(agents, page) -> str:
    """Names of the teams (or vendors) among ``agents`` who may not open ``page``."""
    # Loaded with the models (notices.models checks its form with this module), before
    # Wagtail's rich text can be imported.

    specific = page.specific
    if hasattr(specific, "audience_everyone"):
        # A page with an audience of its own (a course): the agents outside it, exactly.
        outside = agents.exclude(pk__in=audience_of(specific).agents().values("pk"))
        pairs = set(outside.order_by().values_list("vendor_id", "team_id").distinct())
    else:
        # A knowledge page is limited by vendor or team only: one agent of each vendor and
        # team stands for the rest.
        pairs = set()
        for vendor_id, team_id in agents.order_by().values_list("vendor_id", "team_id").distinct():
            one = agents.filter(vendor_id=vendor_id, team_id=team_id).select_related("user")
            if page.pk not in visible_page_ids(one.first().user, [page.pk]):
                pairs.add((vendor_id, team_id))
    teams = Team.objects.unscoped().in_bulk({team for _vendor, team in pairs if team})
    vendors = Vendor.objects.unscoped().in_bulk({vendor for vendor, team in pairs if not team})
    names = sorted(str(teams[team] if team else vendors[vendor]) for vendor, team in pairs)
    return ", ".join(names)
