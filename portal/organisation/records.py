"""The organisation's records handed over at a contract's end: a vendor's teams and its
people (agents, team leads and vendor managers), with their roles, channels and skills."""

from collections import defaultdict
from itertools import islice

from django.contrib.auth.models import Group
from django.db.models import F, OuterRef, Subquery

from portal.records import CHUNK, chunked, register_records

from .models import AgentProfile, AgentSkill, Team
from .roles import Role

VENDOR_ROLES = [Role.AGENT, Role.TEAM_LEAD, Role.VENDOR_MANAGER]


@register_records("teams", columns=["id", "code", "name", "site"])
def teams(vendor_id: int):
    # The caller has decided the vendor may be exported (portal.records).
    return chunked(
        Team.objects.unscoped()
        .filter(vendor_id=vendor_id)
        .order_by("pk")
        .values("id", "code", "name", "site")
    )


@register_records(
    "agents",
    columns=[
        "id", "employee_number", "name", "email", "role", "team_id", "team_code", "status",
        "go_live_date", "left_on", "created_at", "channels", "skills",
    ],
)  # fmt: skip
def agents(vendor_id: int):
    # Their role is their group: an agent, a team lead or a vendor manager.
    role = (
        Group.objects.filter(user=OuterRef("user_id"), name__in=VENDOR_ROLES)
        .order_by("name")
        .values("name")[:1]
    )
    people = chunked(
        AgentProfile.objects.unscoped()
        .filter(vendor_id=vendor_id)
        .order_by("pk")
        .values(
            "id", "employee_number", "team_id", "status", "go_live_date", "left_on",
            "created_at", name=F("user__name"), email=F("user__email"),
            role=Subquery(role), team_code=F("team__code"),
        )
    )  # fmt: skip
    # Channels and skills are many per person: two more queries per chunk of people,
    # the same on every database (no string aggregate needed).
    while chunk := list(islice(people, CHUNK)):
        ids = [person["id"] for person in chunk]
        channels, skills = defaultdict(list), defaultdict(list)
        through = AgentProfile.channels.through.objects.filter(agentprofile_id__in=ids)
        for pk, code in through.order_by("channel__code").values_list(
            "agentprofile_id", "channel__code"
        ):
            channels[pk].append(code)
        tagged = AgentSkill.objects.filter(content_object_id__in=ids).order_by("tag__name")
        for pk, name in tagged.values_list("content_object_id", "tag__name"):
            skills[pk].append(name)
        for person in chunk:
            yield {
                **person,
                "channels": " ".join(channels[person["id"]]),
                "skills": ", ".join(skills[person["id"]]),
            }
