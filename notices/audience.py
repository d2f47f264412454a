"""Who a notice is for, resolved from its audience fields at the moment it is used.

Everyone, or: agents in any chosen vendor or team, narrowed by the chosen channels (any
of them) and roles (any of them). People who have left are never in an audience.
"""

from django.db.models import Q

from portal.organisation.models import AgentProfile


def audience_agents(notice):
    """Active agent profiles the notice is for (system query: no viewer scope)."""
    return agents_in(
        everyone=notice.audience_everyone,
        vendor_ids=_chosen(notice, "audience_vendors", "vendor_id"),
        team_ids=_chosen(notice, "audience_teams", "team_id"),
        channel_ids=_chosen(notice, "audience_channels", "channel_id"),
        role_ids=_chosen(notice, "audience_roles", "group_id"),
    )


def agents_in(*, everyone, vendor_ids=(), team_ids=(), channel_ids=(), role_ids=()):
    """Active agent profiles of an audience given by its choices (e.g. a form's)."""
    agents = AgentProfile.objects.unscoped().filter(status=AgentProfile.Status.ACTIVE)
    if everyone:
        return agents
    if vendor_ids or team_ids:
        agents = agents.filter(Q(vendor_id__in=vendor_ids) | Q(team_id__in=team_ids))
    elif not channel_ids:
        # Roles alone do not make an audience; the form asks for vendors, teams or channels.
        return agents.none()
    if channel_ids:
        agents = agents.filter(
            pk__in=AgentProfile.channels.through.objects.filter(channel_id__in=channel_ids).values(
                "agentprofile_id"
            )
        )
    if role_ids:
        agents = agents.filter(
            user_id__in=AgentProfile.user.field.related_model.groups.through.objects.filter(
                group_id__in=role_ids
            ).values("user_id")
        )
    return agents


def _chosen(notice, field_name: str, column: str) -> list[int]:
    # Through the link table: the audience is the notice's own data, whoever looks at it,
    # and the vendor and team tables themselves are scoped to the viewer.
    through = type(notice)._meta.get_field(field_name).remote_field.through
    return list(
        through.objects.filter(changenoticepage_id=notice.pk).values_list(column, flat=True)
    )


def is_in_audience(notice, agent) -> bool:
    return audience_agents(notice).filter(pk=agent.pk).exists()


def who_cannot_see(agents, page) -> str:
    """Names of the teams (or vendors) among ``agents`` who may not open ``page``.

    One agent per vendor and team stands for the rest: a page's audience is by vendor or
    team, so each of them sees it exactly when their colleagues do.
    """
    from portal.organisation.models import Team, Vendor
    from portal.visibility import visible_page_ids

    missing = []
    pairs = agents.order_by().values_list("vendor_id", "team_id").distinct()
    for vendor_id, team_id in sorted(pairs, key=lambda pair: (pair[0], pair[1] or 0)):
        one = agents.filter(vendor_id=vendor_id, team_id=team_id).select_related("user").first()
        if page.pk not in visible_page_ids(one.user, [page.pk]):
            where = Team.objects.unscoped() if team_id else Vendor.objects.unscoped()
            missing.append(str(where.get(pk=team_id or vendor_id)))
    return ", ".join(missing)
