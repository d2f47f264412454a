"""A demo agent signs in and sees their Korean home page."""

import pytest
from playwright.sync_api import expect

from home.site_tree import ensure_site_tree
from portal.organisation.demo import DEMO_PASSWORD, load_demo_organisation

pytestmark = [
    pytest.mark.browser,
    # The live server reads committed data, so these tests commit (and flush afterwards).
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def demo_agent():
    ensure_site_tree()  # an earlier transactional test may have flushed it away
    logins = load_demo_organisation()
    return next(login for login in logins if login.role == "agent")


def sign_in(page, live_server, username, password):
    page.goto(live_server.url + "/")
    expect(page).to_have_url(f"{live_server.url}/accounts/login/?next=/")
    page.get_by_label("계정").fill(username)
    page.get_by_label("비밀번호").fill(password)
    page.get_by_role("button", name="로그인").click()


def test_a_demo_agent_signs_in_and_sees_my_tasks_in_korean(
    live_server, page, screenshot, demo_agent
):
    sign_in(page, live_server, demo_agent.username, DEMO_PASSWORD)
    expect(page).to_have_url(live_server.url + "/")
    expect(page.locator("html")).to_have_attribute("lang", "ko")
    expect(page.get_by_role("heading", level=1)).to_have_text("내 할 일")
    expect(page.get_by_text(f"{demo_agent.name} 님, 안녕하세요.")).to_be_visible()
    expect(page.get_by_text("확인할 공지")).to_be_visible()
    screenshot()


def test_a_wrong_password_keeps_the_agent_on_the_login_page(
    live_server, page, screenshot, demo_agent
):
    sign_in(page, live_server, demo_agent.username, "not-the-password")
    expect(page.get_by_role("alert")).to_be_visible()
    assert "/accounts/login/" in page.url
    screenshot()


def test_the_home_page_fits_a_phone(live_server, browser, demo_agent):
    context = browser.new_context(locale="ko-KR", viewport={"width": 390, "height": 844})
    phone = context.new_page()
    sign_in(phone, live_server, demo_agent.username, DEMO_PASSWORD)
    expect(phone.get_by_role("heading", level=1)).to_have_text("내 할 일")
    scroll_width = phone.evaluate("document.documentElement.scrollWidth")
    from tests.browser.builders import SCREENSHOTS

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    phone.screenshot(path=str(SCREENSHOTS / "home-phone.png"), full_page=True)
    context.close()
    assert scroll_width <= 390
