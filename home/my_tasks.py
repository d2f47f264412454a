"""What a signed-in person has to do today, for the home page.

Notices come from ``notices.inbox``, training and go-live readiness from
``training.readiness``.
"""

from dataclasses import dataclass, field
from datetime import date

from django.utils import timezone

from feedback.credits import counts_by_status, credited, with_shown_notices
from feedback.models import FeedbackItem
from notices.inbox import inbox, is_overdue
from portal.organisation.models import AgentProfile
from portal.organisation.scoping import Reach, viewer_scope
from training.readiness import agent_readiness, training_url


@dataclass
class MyTasks:
    notices_to_acknowledge: int = 0
    overdue_notices: int = 0
    courses_to_finish: int = 0
    vendor_name: str = ""
    team_name: str = ""
    go_live_date: date | None = None
    #: The agent is ready for go-live (None: not an agent, nothing to be ready for).
    ready_for_go_live: bool | None = None
    readiness_percent: int = 0
    training_url: str = ""
    manages_agents: bool = False
    is_client_staff: bool = False
    #: The agent's current notices (deliveries), unacknowledged first, overdue marked.
    notices: list = field(default_factory=list)
    #: The agent's feedback that changed the service ("개선 기여"), newest first.
    credits: list = field(default_factory=list)
    #: Answers to the agent's feedback they have not opened yet.
    feedback_answers: int = 0
    #: For those who look after agents: their people's feedback by status.
    feedback_counts: dict = field(default_factory=dict)

    @property
    def days_to_go_live(self) -> int | None:
        if self.go_live_date is None:
            return None
        return (self.go_live_date - timezone.localdate()).days

    @property
    def total(self) -> int:
        return self.notices_to_acknowledge + self.courses_to_finish


def my_tasks(user) -> MyTasks:

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
            _add_notices(tasks, profile)
            _add_training(tasks, profile)
            _add_feedback(tasks, user, scope)
    return tasks


def _add_feedback(tasks: MyTasks, user, scope) -> None:
    own = FeedbackItem.objects.for_user(user).filter(agent__user=user)
    tasks.credits = with_shown_notices(user, credited(user).filter(agent__user=user)[:5])
    tasks.feedback_answers = sum(item.is_news for item in own.only("answered_at", "seen_at"))
    if scope.sees_agents:
        tasks.feedback_counts = counts_by_status(user)


def _add_notices(tasks: MyTasks, profile) -> None:

    now = timezone.now()
    tasks.notices = list(inbox(profile))
    for delivery in tasks.notices:
        delivery.overdue = is_overdue(delivery, now)
        if not delivery.acknowledged and delivery.notice.acknowledgement_required:
            tasks.notices_to_acknowledge += 1
            tasks.overdue_notices += delivery.overdue


def _add_training(tasks: MyTasks, profile) -> None:

    readiness = agent_readiness(profile)
    tasks.courses_to_finish = sum(1 for status in readiness.courses if not status.passed)
    tasks.ready_for_go_live = readiness.ready
    tasks.readiness_percent = readiness.percent
    tasks.training_url = training_url()
