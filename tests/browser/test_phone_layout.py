"""A vendor manager on a 390 px phone: the header's links fold behind a menu button and
never wrap mid-word, and the status and readiness tables keep who and the status on
screen (the rest steps aside) with nothing scrolling sideways. Screenshots at both
sizes."""

import pytest
from playwright.sync_api import expect

from home.site_tree import ensure_site_tree
from notices.delivery import create_deliveries
from notices.versions import current_material_version
from portal.organisation.demo import load_demo_organisation
from portal.organisation.models import AgentProfile
from portal.organisation.roles import ensure_content_permissions
from tests.browser.builders import sign_in
from tests.notices.builders import publish_notice

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
#: How many lines of text each header link takes (1: it never wraps).
LINK_LINES = """() => [...document.querySelectorAll('#site-nav a')].map(link => {
  const range = document.createRange();
  range.selectNodeContents(link);
  return new Set([...range.getClientRects()].map(rect => Math.round(rect.top))).size;
})"""


def _right_edge(locator) -> float:
    box = locator.bounding_box()
    return box["x"] + box["width"]


def test_a_managers_pages_fit_a_phone(live_server, page, screenshot):
    ensure_site_tree()  # a transactional test before this one flushed the tree
    ensure_content_permissions()
    logins = load_demo_organisation()
    manager = next(x for x in logins if x.role == "vendor manager" and "한결" in x.where)
    notice = publish_notice("연말 배송 마감 안내", everyone=True)
    agents = AgentProfile.objects.unscoped().values_list("pk", flat=True)
    create_deliveries(current_material_version(notice), list(agents))
    status = f"/notices/manage/{notice.pk}/"

    sign_in(page, live_server, manager.username, status)
    expect(page.get_by_role("button", name="메뉴")).to_be_hidden()  # wide: links in view
    expect(page.locator("#site-nav")).to_be_visible()
    assert set(page.evaluate(LINK_LINES)) == {1}
    screenshot("status-desktop")

    page.set_viewport_size(PHONE)
    page.reload()
    menu = page.get_by_role("button", name="메뉴")
    expect(menu).to_be_visible()
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(page.locator("#site-nav")).to_be_hidden()
    state = page.get_by_test_id("agents").get_by_role("columnheader", name="상태")
    expect(state).to_be_visible()
    assert _right_edge(state) <= PHONE["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot("status-phone")

    menu.click()
    expect(menu).to_have_attribute("aria-expanded", "true")
    expect(page.locator("#site-nav").get_by_role("link", name="공지 확인 현황")).to_be_visible()
    assert set(page.evaluate(LINK_LINES)) == {1}
    screenshot("menu-phone")
    page.keyboard.press("Escape")
    expect(page.locator("#site-nav")).to_be_hidden()

    page.goto(f"{live_server.url}/training/readiness/")
    screenshot("readiness-phone")
    missing = page.get_by_test_id("agents").get_by_role("columnheader").last
    expect(missing).to_be_visible()
    assert _right_edge(missing) <= PHONE["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
