"""Who a notice is for, resolved from its audience fields at the moment it is used.

Everyone, or: agents in any chosen vendor or team, narrowed by the chosen channels (any
of them) and roles (any of them). People who have left are never in an audience.
"""

from django.db.models import Q

from portal.organisation.models import AgentProfile


def audience_agents(notice):
    """Active agent profiles the notice is for (system query: no viewer scope)."""
    agents = AgentProfile.objects.unscoped().filter(status=AgentProfile.Status.ACTIVE)
    if notice.audience_everyone:
        return agents
    vendor_ids = _chosen(notice, "audience_vendors", "vendor_id")
    team_ids = _chosen(notice, "audience_teams", "team_id")
    channel_ids = _chosen(notice, "audience_channels", "channel_id")
    role_ids = _chosen(notice, "audience_roles", "group_id")
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
