"""Notices for tests: a notices section, a helper that publishes a notice (and publishes
it again), a question, and an acknowledgement."""

from datetime import timedelta

from django.utils import timezone
from wagtail.models import Site

from home.site_tree import ensure_site_tree
from notices.models import ChangeNoticePage, NoticeIndexPage


def notice_section():
    # Transactional tests start from an empty database, without the migrated site tree.
    ensure_site_tree()
    home = Site.objects.get(is_default_site=True).root_page.specific
    existing = NoticeIndexPage.objects.first()
    if existing:
        return existing
    section = NoticeIndexPage(title="공지")
    home.add_child(instance=section)
    section.save_revision().publish()
    return section


def draft_notice(title="초안: 가격 인상", **fields):
    """A notice saved as a draft (never published), for everyone unless told otherwise."""
    page = ChangeNoticePage(
        title=title,
        kind=fields.pop("kind", "policy"),
        summary=fields.pop("summary", "초안"),
        changes=fields.pop("changes", "<p>초안</p>"),
        audience_everyone=fields.pop("audience_everyone", True),
        live=False,
        **fields,
    )
    notice_section().add_child(instance=page)
    page.save_revision()
    page.refresh_from_db()
    return page


def publish_notice(
    title="7월 환불 정책 변경",
    *,
    vendors=(),
    teams=(),
    channels=(),
    roles=(),
    everyone=False,
    questions=(),
    due_in=timedelta(days=3),
    user=None,
    **fields,
):
    page = ChangeNoticePage(
        title=title,
        kind=fields.pop("kind", "policy"),
        summary=fields.pop("summary", "환불 기준이 바뀝니다."),
        changes=fields.pop("changes", "<p>7일 이내 환불 가능합니다.</p>"),
        audience_everyone=everyone,
        acknowledge_by=(timezone.now() + due_in) if due_in is not None else None,
        # Notices in these tests count for readiness unless a test says otherwise.
        counts_for_readiness=fields.pop("counts_for_readiness", True),
        understanding_check=[("question", q) for q in questions],
        **fields,
    )
    notice_section().add_child(instance=page)
    page.audience_vendors.set(vendors)
    page.audience_teams.set(teams)
    page.audience_channels.set(channels)
    page.audience_roles.set(roles)
    page.save()
    page.save_revision(user=user).publish()
    page.refresh_from_db()
    return page


def republish(page, *, material, user=None, **changes):
    for name, value in changes.items():
        setattr(page, name, value)
    page.material_change = material
    page.save_revision(user=user).publish()
    page.refresh_from_db()
    return page


QUESTION = {
    "question": "환불 가능 기간은?",
    "multiple": False,
    "options": [{"text": "3일", "correct": False}, {"text": "7일", "correct": True}],
    "explanation": "",
}


def ack(notice, agent, answers=None, **kwargs):
    """Acknowledge the version currently shown, as the agent would."""
    from notices.acknowledging import acknowledge
    from notices.versions import latest_version

    return acknowledge(
        notice,
        agent,
        revision_id=latest_version(notice).revision_id,
        answers=answers,
        ip_address=kwargs.pop("ip_address", "203.0.113.7"),
        user_agent=kwargs.pop("user_agent", "pytest"),
    )
