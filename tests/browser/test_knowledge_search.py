"""An agent searches in Korean mid-call and opens the answer policy."""

import pytest
from playwright.sync_api import expect

from home.site_tree import ensure_site_tree
from knowledge.demo import load_demo_knowledge
from portal.organisation.demo import DEMO_PASSWORD, load_demo_organisation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_agent_searches_in_korean_and_opens_a_policy(live_server, page, screenshot):
    ensure_site_tree()
    agent = next(login for login in load_demo_organisation() if login.role == "agent")
    load_demo_knowledge()

    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("계정").fill(agent.username)
    page.get_by_label("비밀번호").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="로그인").click()
    page.get_by_role("navigation", name="주 메뉴").get_by_role("link", name="검색").click()

    page.get_by_role("searchbox").fill("배송이 늦어서 보상해 달래요")
    page.get_by_role("button", name="검색").click()
    first = page.locator(".result").first
    expect(first.get_by_role("heading")).to_have_text("배송 지연 보상")
    expect(first.locator("mark").first).to_be_visible()
    screenshot("results")

    first.get_by_role("link", name="배송 지연 보상").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("배송 지연 보상")
    expect(page.locator(".may-box")).to_contain_text("직접 결정할 수 있습니다")
    expect(page.locator(".may-box")).to_contain_text("3,000원")
    expect(page.locator(".script").first).to_contain_text("3,000원 적립금")
    screenshot("policy")
