"""The organisation's records handed over at a contract's end: a vendor's teams and its
people (agents, team leads and vendor managers), with their roles."""

from django.db.models import F

from portal.records import chunked, register_records

from .models import AgentProfile, Team


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
        "id", "employee_number", "name", "email", "team_id", "team_code", "status",
        "go_live_date", "left_on", "created_at",
    ],
)  # fmt: skip
def agents(vendor_id: int):
    return chunked(
        AgentProfile.objects.unscoped()
        .filter(vendor_id=vendor_id)
        .order_by("pk")
        .values(
            "id", "employee_number", "team_id", "status", "go_live_date", "left_on",
            "created_at", name=F("user__name"), email=F("user__email"),
            team_code=F("team__code"),
        )
    )  # fmt: skip
