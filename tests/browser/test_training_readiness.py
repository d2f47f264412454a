"""An agent works through a course and its quiz in the browser and becomes ready for
go-live; their vendor manager's readiness view counts them."""

import pytest
from playwright.sync_api import expect

from portal.organisation.demo import load_demo_organisation
from portal.organisation.models import AgentProfile
from tests.browser.test_notice_acknowledgement import sign_in
from tests.training.builders import publish_course, training_section
from training.models import QuizAttempt

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_agent_completes_a_course_and_its_quiz_and_becomes_ready(live_server, page, screenshot):
    logins = load_demo_organisation()
    agent_login = next(x for x in logins if x.role == "agent" and x.username.startswith("hgcs"))
    manager_login = next(x for x in logins if x.role == "vendor manager" and "한결" in x.where)
    course = publish_course("환불 정책 교육", lessons=2)

    sign_in(page, live_server, agent_login.username, training_section().url)
    expect(page.get_by_test_id("my-readiness")).to_be_visible()
    page.get_by_test_id(f"course-{course.slug}").get_by_role("link").first.click()
    page.get_by_test_id("resume").click()
    screenshot("lesson")
    page.get_by_test_id("complete-lesson").click()  # lesson 1 → lesson 2
    page.get_by_test_id("complete-lesson").click()  # lesson 2 → the quiz
    expect(page.get_by_test_id("question")).to_have_count(2)

    agent = AgentProfile.objects.get(user__username=agent_login.username)
    attempt = QuizAttempt.objects.get(agent=agent)
    questions = {block.id: block.value for block in course.quiz}
    for item in attempt.shown:
        for option in questions[item["id"]]["options"].bound_blocks:
            if option.value["correct"]:
                page.locator(f"input[value='{option.id}']").check()
    screenshot("quiz")
    page.get_by_test_id("submit-quiz").click()
    expect(page.get_by_test_id("quiz-result")).to_contain_text("100%")
    screenshot("result")

    page.goto(live_server.url + training_section().url)
    expect(page.get_by_test_id("ready")).to_be_visible()
    screenshot("ready")

    sign_in(page, live_server, manager_login.username, "/training/readiness/")
    row = page.get_by_test_id("agent-row").filter(has_text=agent.employee_number)
    expect(row).to_contain_text("100%")
    expect(page.get_by_test_id("ready-total")).to_have_text("1")
    screenshot("manager")
