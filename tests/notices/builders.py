"""Notices for tests: the app's builders (``notices.builders``) with the defaults these
tests share, on a database that may have lost its site tree."""

from datetime import timedelta

from django.utils import timezone
from wagtail.test.utils.form_data import rich_text, streamfield

from home.site_tree import ensure_site_tree
from notices import builders
from portal.questions import question
from tests.admin_forms import page_form


def notice_section():
    # Transactional tests start from an empty database, without the migrated site tree.
    ensure_site_tree()
    return builders.notice_section()


def draft_notice(title="초안: 가격 인상", **fields):
    """A notice saved as a draft (never published), for everyone unless told otherwise."""
    notice_section()
    return builders.draft_notice(
        title,
        summary=fields.pop("summary", "초안"),
        changes=fields.pop("changes", "<p>초안</p>"),
        everyone=fields.pop("audience_everyone", True),
        **fields,
    )


def publish_notice(
    title="7월 환불 정책 변경", *, everyone=False, due_in=timedelta(days=3), **fields
):
    notice_section()
    return builders.publish_notice(
        title,
        summary=fields.pop("summary", "환불 기준이 바뀝니다."),
        changes=fields.pop("changes", "<p>7일 이내 환불 가능합니다.</p>"),
        everyone=everyone,
        acknowledge_by=(timezone.now() + due_in) if due_in is not None else None,
        # Notices in these tests count for readiness unless a test says otherwise.
        counts_for_readiness=fields.pop("counts_for_readiness", True),
        **fields,
    )


QUESTION = question("환불 가능 기간은?", ["3일", "7일"], {1})


def ack(notice, agent, answers=None, **kwargs):
    """Acknowledge the version currently shown, as the agent would."""
    return builders.acknowledge_shown(
        notice,
        agent,
        answers,
        ip_address=kwargs.pop("ip_address", "203.0.113.7"),
        user_agent=kwargs.pop("user_agent", "pytest"),
    )


def notice_form(**overrides):
    """The admin's form for a new notice, filled in (``None`` leaves a field out)."""
    data = {
        "title": "신규 멤버십 출시",
        "slug": "new-membership",
        "kind": "launch",
        "priority": "normal",
        "summary": "12월 1일 멤버십이 바뀝니다.",
        "changes": rich_text("<p>월 4,900원, 무료배송.</p>"),
        "effective_from": "2026-12-01 09:00",
        "effective_until": "",
        "affected_pages": {"TOTAL_FORMS": "0", "INITIAL_FORMS": "0", "MIN_NUM_FORMS": "0",
                           "MAX_NUM_FORMS": "1000"},
        "audience_everyone": "on",
        "audience_vendors": [],
        "audience_teams": [],
        "audience_channels": [],
        "audience_roles": [],
        "acknowledgement_required": "on",
        "acknowledge_by": "2026-12-03 18:00",
        "understanding_check": streamfield([]),
        "material_change": "on",
    }  # fmt: skip
    return page_form(data, **overrides)
