"""The journeys ``load_demo`` prints: one login for each thing worth trying, and what
to try with it, so that nobody has to guess which of sixty accounts shows what."""

from dataclasses import dataclass

from django.contrib.auth import get_user_model

from training.demo import awaiting_sign_off

#: The demo agent of 한결CS who confirmed the refund notice before it changed.
AGENT_WITH_A_CHANGE = "hgcs-1002"


@dataclass(frozen=True)
class Journey:
    username: str
    name: str
    who: str
    to_try: str


def demo_journeys() -> list[Journey]:
    users = {u.username: u for u in get_user_model().objects.filter(is_active=True)}

    def journey(username, who, to_try):
        user = users.get(username)
        return Journey(username, user.get_full_name(), who, to_try) if user else None

    ready = awaiting_sign_off()
    found = [
        journey(
            AGENT_WITH_A_CHANGE,
            "agent, a notice changed",
            '"내 할 일": the refund notice changed since you confirmed it; see what changed, '
            "answer its check of understanding and confirm again; finish a course half done.",
        ),
        ready
        and journey(
            ready[0].user.username,
            "agent, ready",
            '"교육": every course passed and notice confirmed, waiting for the team lead.',
        ),
        ready
        and journey(
            ready[1].user.username,
            "team lead",
            f'"업무 투입 준비 현황": sign off {ready[0].user.get_full_name()} for go-live '
            "(asked first; it cannot be undone).",
        ),
        journey(
            "hgcs-manager",
            "vendor manager",
            '"공지 확인 현황": who has not confirmed, remind now, export; "KPI 현황판"; '
            "another vendor's ids answer 404.",
        ),
        journey(
            "nuri-publisher",
            "client publisher",
            "Admin: the delivery-delay notice and the policy and course it changes next "
            "Monday; publish a notice to one team.",
        ),
        journey(
            "nuri-manager",
            "client manager",
            '"KPI 현황판" across vendors, decisions reported back, feedback; admin: '
            "협력사 종료 (off-boarding).",
        ),
    ]
    return [item for item in found if item]
