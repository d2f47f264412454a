"""Who a course is for: the same rule as change notices (``portal.audiences``), checked in
Python so a readiness dashboard can match thousands of agents against every course."""

from portal.audiences import Audience, audiences_of
from portal.organisation.models import AgentProfile
from portal.visibility import register_page_rule

from .models import CoursePage

#: A course's audience: the portal's one audience rule (``portal.audiences``).
CourseAudience = Audience


def audiences(course_ids) -> dict[int, CourseAudience]:
    """The audience of each course, in a few queries whatever the number of courses."""
    return audiences_of(CoursePage, course_ids)


def channels_of(agent_ids) -> dict[int, set[int]]:
    """Channel ids per agent; ``agent_ids`` may be a queryset (used as a subquery)."""
    result: dict[int, set[int]] = {}
    rows = AgentProfile.channels.through.objects.filter(agentprofile_id__in=agent_ids)
    for agent_id, channel_id in rows.values_list("agentprofile_id", "channel_id"):
        result.setdefault(agent_id, set()).add(channel_id)
    return result


def is_for(course, agent) -> bool:
    audience = audiences([course.pk])[course.pk]
    return audience.includes(
        agent.vendor_id, agent.team_id, channels_of([agent.pk]).get(agent.pk, set())
    )


@register_page_rule(CoursePage)
def visible_course_ids(user, page_ids) -> set[int]:
    """Courses are opened by the agents they are for (client staff are let in before)."""
    profile = (
        AgentProfile.objects.for_user(user)
        .filter(user=user, status=AgentProfile.Status.ACTIVE)
        .only("pk", "vendor_id", "team_id")
        .first()
    )
    if profile is None:
        return set()
    own_channels = channels_of([profile.pk]).get(profile.pk, set())
    return {
        pk
        for pk, audience in audiences(list(page_ids)).items()
        if audience.includes(profile.vendor_id, profile.team_id, own_channels)
    }
