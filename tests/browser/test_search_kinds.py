"""An agent searches for a changed rule and finds the policy, the notice and the lesson,
each with its kind, and narrows the results by kind."""

from io import StringIO

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from portal.organisation.demo import DEMO_PASSWORD, load_demo_organisation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_agent_sees_the_kind_of_each_hit_and_narrows_by_kind(live_server, page, screenshot):
    call_command("load_demo", stdout=StringIO())  # the demo as people first see it
    logins = load_demo_organisation()  # loaded already: only the logins
    agent = next(x for x in logins if x.role == "agent" and x.username.startswith("hgcs"))

    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("계정").fill(agent.username)
    page.get_by_label("비밀번호").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="로그인").click()
    page.get_by_role("navigation", name="주 메뉴").get_by_role("link", name="검색").click()

    page.get_by_role("searchbox").fill("환불 14일")
    page.get_by_role("button", name="검색").click()
    results = page.locator(".result")
    expect(results.first).to_be_visible()
    kinds = page.get_by_test_id("kind-facets")
    expect(kinds.get_by_role("link", name="전체")).to_have_attribute("aria-current", "true")
    expect(kinds.get_by_role("link", name="공지")).to_be_visible()
    expect(kinds.get_by_role("link", name="교육")).to_be_visible()
    expect(results.filter(has_text="환불 접수 기간 변경").locator(".badge")).to_have_text("공지")
    screenshot("everything")

    kinds.get_by_role("link", name="교육").click()
    course = page.locator(".result").first
    expect(course.locator(".badge")).to_have_text("교육")
    expect(course.locator(".result__lesson")).to_contain_text("환불 접수 기준")
    screenshot("training")

    course.locator(".result__lesson a").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("환불 접수 기준")
