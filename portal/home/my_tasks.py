"""What a signed-in person has to do today, for the home page.

Counts of notices and training are placeholders here; the notices and training apps
fill them in through this one function as they arrive.
"""

from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from portal.organisation.scoping import Reach, viewer_scope


@dataclass
class MyTasks:
    notices_to_acknowledge: int = 0
    overdue_notices: int = 0
    courses_to_finish: int = 0
    vendor_name: str = ""
    team_name: str = ""
    go_live_date: date | None = None
    manages_agents: bool = False
    is_client_staff: bool = False

    @property
    def days_to_go_live(self) -> int | None:
        if self.go_live_date is None:
            return None
        return (self.go_live_date - timezone.localdate()).days

    @property
    def total(self) -> int:
        return self.notices_to_acknowledge + self.courses_to_finish


def my_tasks(user) -> MyTasks:
    from portal.organisation.models import AgentProfile

    scope = viewer_scope(user)
    tasks = MyTasks(
        manages_agents=scope.reach in (Reach.VENDOR, Reach.TEAM),
        is_client_staff=scope.is_client_staff,
    )
    if scope.agent_id or scope.reach in (Reach.VENDOR, Reach.TEAM):
        profile = (
            AgentProfile.objects.for_user(user)
            .filter(user=user)
            .select_related("vendor", "team")
            .first()
        )
        if profile is not None:
            tasks.vendor_name = profile.vendor.name
            tasks.team_name = profile.team.name if profile.team else ""
            tasks.go_live_date = profile.go_live_date
    return tasks
