"""Change notices made in code as a publisher makes them in the admin, and acknowledged as
an agent does: the demo loader and the tests build theirs with these."""

from portal.publishing import add_page, publish_new

from .acknowledging import acknowledge
from .inbox import unacknowledged_notices
from .models import ChangeNoticePage, NoticeIndexPage
from .versions import latest_version

SECTION = {"title": "변경 공지", "slug": "notices", "intro": "출시·프로모션·정책 변경"}


def notice_section() -> NoticeIndexPage:
    """The site's notices section, made if there is none."""
    return NoticeIndexPage.ensure(**SECTION)


def new_notice(
    title, *, summary, changes="", kind="policy", everyone=False, questions=(), **fields
) -> ChangeNoticePage:
    """A notice not yet saved; ``questions`` are ``QuestionBlock`` values."""
    return ChangeNoticePage(
        title=title,
        kind=kind,
        summary=summary,
        changes=changes,
        audience_everyone=everyone,
        understanding_check=[("question", q) for q in questions],
        **fields,
    )


def publish_notice(
    title, *, vendors=(), teams=(), channels=(), roles=(), user=None, **fields
) -> ChangeNoticePage:
    """A notice in the notices section, for everyone (``everyone=True``) or the vendors,
    teams, channels and roles given, published by ``user``: its version is recorded and
    its delivery dispatched."""
    return publish_new(
        notice_section(),
        new_notice(title, **fields),
        user=user,
        audience_vendors=vendors,
        audience_teams=teams,
        audience_channels=channels,
        audience_roles=roles,
    )


def draft_notice(title, **fields) -> ChangeNoticePage:
    """A notice saved as a draft, never published."""
    page = add_page(notice_section(), new_notice(title, live=False, **fields))
    page.save_revision()
    page.refresh_from_db()
    return page


def acknowledge_shown(notice, agent, answers=None, *, ip_address, user_agent):
    """The agent confirms the version on screen (the latest), answering the check."""
    return acknowledge(
        notice,
        agent,
        revision_id=latest_version(notice).revision_id,
        answers=answers,
        ip_address=ip_address,
        user_agent=user_agent,
    )


def right_answers(notice) -> dict[str, list[str]]:
    """The check's right answers, as the acknowledgement form posts them."""
    return {
        str(number): [str(i) for i, option in enumerate(q["options"]) if option["correct"]]
        for number, q in enumerate(notice.questions)
    }


def acknowledge_waiting(agent, *, ip_address, user_agent) -> int:
    """Every notice waiting for the agent's acknowledgement, confirmed with the right
    answers; how many."""
    count = 0
    for delivery in unacknowledged_notices([agent.pk]).get(agent.pk, []):
        notice = delivery.notice
        acknowledge_shown(
            notice, agent, right_answers(notice), ip_address=ip_address, user_agent=user_agent
        )
        count += 1
    return count
