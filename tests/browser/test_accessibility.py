"""Every page an agent or a manager sees passes axe-core's WCAG 2.1 A and AA checks with
nothing serious or critical, on a desktop and on a 390 px phone, and on the phone nothing
makes the page scroll sideways; on the demo's data (what people see first).

The counts per page go to ``artifacts/accessibility.json``, written even when it fails;
each page's screenshots at both sizes to ``artifacts/screenshots/pages/``.
"""

import re
from io import StringIO

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from home.demo_journeys import AGENT_WITH_A_CHANGE
from knowledge.models import AnswerPolicyPage, ArticlePage
from notices.models import Acknowledgement, NoticeIndexPage
from portal.organisation.models import AgentProfile
from tests.browser.axe import AccessibilityReport, axe_source
from tests.browser.builders import SCREENSHOTS, sign_in
from training.demo import awaiting_sign_off
from training.models import CoursePage, TrainingIndexPage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
PAGES = SCREENSHOTS / "pages"


@pytest.fixture
def report():
    axe_source()  # skips before the demo loads when axe-core is missing
    report = AccessibilityReport()
    yield report
    report.write()


def test_every_page_an_agent_or_a_manager_sees_is_accessible_at_both_sizes(
    live_server, page, report
):
    call_command("load_demo", stdout=StringIO())
    PAGES.mkdir(parents=True, exist_ok=True)
    wide = []

    def check(page, name):
        """axe and a screenshot on a desktop, then the same on a phone."""
        file = re.sub(r"[^\w-]+", "-", name).strip("-")
        report.check(page, name)
        page.screenshot(path=str(PAGES / f"{file}-desktop.png"), full_page=True)
        page.set_viewport_size(PHONE)
        report.check(page, f"{name} (phone)")
        page.screenshot(path=str(PAGES / f"{file}-phone.png"), full_page=True)
        if page.evaluate("document.documentElement.scrollWidth") > PHONE["width"]:
            wide.append(name)
        page.set_viewport_size(DESKTOP)

    def visit(path):
        page.goto(live_server.url + path)
        expect(page.get_by_role("heading", level=1).first).to_be_visible()

    visit("/accounts/login/")
    check(page, "sign-in")

    # An agent with a changed notice to confirm again and a course half done.
    sign_in(page, live_server, AGENT_WITH_A_CHANGE)
    expect(page.get_by_test_id("inbox")).to_be_visible()
    check(page, "agent home")
    visit(NoticeIndexPage.objects.live().first().url)
    check(page, "notice index")
    page.get_by_test_id("inbox").get_by_role("link").first.click()
    expect(page.get_by_test_id("acknowledge-button")).to_be_visible()
    check(page, "notice to confirm")
    confirmed = Acknowledgement.objects.unscoped().filter(agent__user__username=AGENT_WITH_A_CHANGE)
    visit(f"/notices/{confirmed.first().notice_id}/acknowledged/")
    check(page, "notice confirmed")
    visit("/knowledge/search/?q=환불")
    expect(page.locator(".result").first).to_be_visible()
    check(page, "search results")
    visit(AnswerPolicyPage.objects.live().first().url)
    check(page, "answer policy")
    visit(ArticlePage.objects.live().first().url)
    check(page, "article")
    visit(TrainingIndexPage.objects.live().first().url)
    check(page, "training index")
    # The half-done course with a quiz, from its first lesson (done) through the rest to the quiz.
    course = next(course for course in CoursePage.objects.live() if course.has_quiz)
    visit(course.url)
    check(page, "course")
    visit(course.url + f"lessons/{course.lessons[0].id}/")
    check(page, "lesson")
    question = page.get_by_test_id("question").first
    for _ in course.lessons:
        with page.expect_navigation():
            page.get_by_test_id("complete-lesson").click()
        if question.count():
            break
    expect(question).to_be_visible()
    check(page, "quiz")
    visit("/decisions/mine/")
    check(page, "agent's decisions")
    visit("/feedback/mine/")
    check(page, "agent's feedback")

    # A team lead signs off an agent who has done everything: the page that asks first.
    agent, lead = awaiting_sign_off()
    sign_in(page, live_server, lead.user.username, "/training/readiness/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    check(page, "readiness (team lead)")
    visit(f"/training/readiness/agents/{agent.pk}/sign-off/")
    check(page, "sign-off confirmation")

    # The vendor's manager.
    sign_in(page, live_server, "hgcs-manager", "/notices/manage/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    check(page, "notice acknowledgements")
    page.locator("main table a").first.click()
    expect(page.get_by_test_id("remind-now")).to_be_visible()
    check(page, "notice status")
    visit("/training/readiness/")
    check(page, "readiness")
    visit("/decisions/manage/")
    check(page, "decisions report")
    visit("/contracts/board/")
    check(page, "KPI board")
    visit("/org/agents/")
    check(page, "agents")
    one = AgentProfile.objects.unscoped().get(user__username=AGENT_WITH_A_CHANGE)
    visit(f"/org/agents/{one.pk}/")
    check(page, "agent")
    visit("/feedback/credited/")
    check(page, "feedback")
    assert re.search(r"/feedback/credited/$", page.url)

    report.assert_accessible()
    assert not wide, f"wider than a phone, scrolling sideways: {wide}"
