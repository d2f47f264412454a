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
    vendor_ids = list(notice.audience_vendors.values_list("pk", flat=True))
    team_ids = list(notice.audience_teams.values_list("pk", flat=True))
    channel_ids = list(notice.audience_channels.values_list("pk", flat=True))
    role_ids = list(notice.audience_roles.values_list("pk", flat=True))
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


def is_in_audience(notice, agent) -> bool:
    return audience_agents(notice).filter(pk=agent.pk).exists()
