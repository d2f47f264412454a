"""Verified pages: an agent sees who vouches for a policy and when, or that its review is
overdue; a publisher finds the page in the overdue report and marks it verified."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone, translation
from django.utils.translation import gettext
from playwright.sync_api import expect

from home.site_tree import ensure_site_tree
from knowledge.demo import load_demo_knowledge
from knowledge.models import AnswerPolicyPage
from notices.models import AffectedPage
from portal.organisation.demo import load_demo_organisation
from portal.organisation.roles import ensure_content_permissions
from tests.browser.builders import sign_in
from tests.notices.builders import publish_notice

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def korean(msgid: str) -> str:
    """The text the Korean page shows for ``msgid`` (the msgid itself until translated)."""
    with translation.override("ko"):
        return gettext(msgid)


def test_an_agent_sees_verification_and_a_publisher_clears_an_overdue_review(
    live_server, page, screenshot
):
    ensure_site_tree()
    logins = load_demo_organisation()
    ensure_content_permissions()  # a flushed database has the tree back, not the grants
    load_demo_knowledge()
    agent = next(login for login in logins if login.role == "agent")
    users = get_user_model().objects
    publisher, editor = users.get(username="nuri-publisher"), users.get(username="nuri-editor")

    now = timezone.now()
    verified = AnswerPolicyPage.objects.get(title="배송 지연 보상")
    overdue = AnswerPolicyPage.objects.get(title="쿠폰 적용 오류")
    AnswerPolicyPage.objects.filter(pk=verified.pk).update(
        content_owner=editor, verified_at=now - timedelta(days=6), verified_by=editor
    )
    AnswerPolicyPage.objects.filter(pk=overdue.pk).update(
        content_owner=editor, verified_at=now - timedelta(days=120)
    )
    notice = publish_notice("쿠폰 중복 적용 허용", everyone=True, due_in=None)
    AffectedPage.objects.create(notice=notice, page=overdue)

    sign_in(page, live_server, agent.username, verified.url)
    badge = page.get_by_test_id("review-status")
    expect(badge).to_contain_text(timezone.localdate(now - timedelta(days=6)).isoformat())
    expect(badge).to_contain_text(editor.name)
    expect(badge).to_have_class("badge badge--done")
    screenshot("agent-verified")

    page.goto(live_server.url + overdue.url)
    expect(page.get_by_test_id("review-status")).to_have_text(korean("Review overdue"))
    screenshot("agent-overdue")

    sign_in(page, live_server, publisher.username, "/admin/knowledge/reports/review-overdue/")
    expect(page.locator("main table")).to_contain_text(overdue.title)
    expect(page.locator("main table")).not_to_contain_text(verified.title)
    screenshot("report-overdue")

    page.goto(live_server.url + "/admin/notices/reports/stale-content/")
    expect(page.locator("main table")).to_contain_text("쿠폰 중복 적용 허용")
    screenshot("report-stale")

    # The page's header offers it, in its "more" menu.
    page.goto(f"{live_server.url}/admin/pages/{overdue.pk}/edit/")
    verify_link = page.locator(f'a[href^="/admin/knowledge/verify/{overdue.pk}/"]')
    page.locator("header [data-w-dropdown-target=toggle]").last.click()
    screenshot("edit-menu")
    verify_link.click()
    screenshot("confirm")
    page.get_by_role("button", name=korean("Yes, it is still true")).click()
    expect(page.locator(".messages")).to_contain_text(overdue.title)
    overdue.refresh_from_db()
    assert overdue.verified_by == publisher and not overdue.is_review_overdue

    sign_in(page, live_server, agent.username, overdue.url)
    expect(page.get_by_test_id("review-status")).to_have_class("badge badge--done")
