"""Who a course is for: everyone, or agents in any chosen vendor or team, narrowed by the
chosen channels (any of them). The same rule as change notices, checked in Python so a
readiness dashboard can match thousands of agents against every course at once."""

from dataclasses import dataclass, field

from portal.organisation.models import AgentProfile
from portal.visibility import register_page_rule

from .models import CoursePage


@dataclass(frozen=True)
class CourseAudience:
    everyone: bool
    vendor_ids: frozenset = field(default_factory=frozenset)
    team_ids: frozenset = field(default_factory=frozenset)
    channel_ids: frozenset = field(default_factory=frozenset)

    def includes(self, vendor_id, team_id, channel_ids) -> bool:
        if self.everyone:
            return True
        if self.vendor_ids or self.team_ids:
            if vendor_id not in self.vendor_ids and team_id not in self.team_ids:
                return False
        elif not self.channel_ids:
            return False
        return not self.channel_ids or bool(self.channel_ids & set(channel_ids))


def audiences(course_ids) -> dict[int, CourseAudience]:
    """The audience of each course, in three queries whatever the number of courses."""
    links = {}
    for name, column in (
        ("audience_vendors", "vendor_id"),
        ("audience_teams", "team_id"),
        ("audience_channels", "channel_id"),
    ):
        through = CoursePage._meta.get_field(name).remote_field.through
        for course_id, value in through.objects.filter(coursepage_id__in=course_ids).values_list(
            "coursepage_id", column
        ):
            links.setdefault((course_id, name), set()).add(value)
    everyone = dict(
        CoursePage.objects.filter(pk__in=course_ids).values_list("pk", "audience_everyone")
    )
    return {
        pk: CourseAudience(
            everyone=everyone.get(pk, False),
            vendor_ids=frozenset(links.get((pk, "audience_vendors"), ())),
            team_ids=frozenset(links.get((pk, "audience_teams"), ())),
            channel_ids=frozenset(links.get((pk, "audience_channels"), ())),
        )
        for pk in course_ids
    }


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
