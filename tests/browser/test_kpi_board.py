"""The KPI board as its readers use it: the client's CX manager compares both vendors side
by side and finds the KPI missed twice in a row; the vendor's manager sees their own
vendor only, on a phone too, and keeps what was agreed at the review."""

import pytest
from playwright.sync_api import expect

from contracts.demo import load_demo_contracts
from home.site_tree import ensure_site_tree
from portal.organisation.builders import vendor_manager
from portal.organisation.demo import DEMO_PASSWORD
from portal.organisation.models import Vendor
from portal.organisation.roles import Role, ensure_content_permissions
from tests.browser.builders import SCREENSHOTS, sign_in
from tests.factories import TeamFactory, UserFactory, VendorFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _people():
    """Only what the board needs: both vendors, their managers, the client's manager and
    the demo's contracts with a year of KPIs."""
    onc = VendorFactory(name="온누리컨택", code="ONC")
    hgcs = VendorFactory(name="한결CS", code="HGCS", client=onc.client)
    for vendor in (onc, hgcs):
        TeamFactory(vendor=vendor)
    manager = vendor_manager(onc, UserFactory(username="onc-manager", name="오세진"))
    client_manager = UserFactory(
        username="nuri-manager", name="문서영", roles=[Role.CLIENT_MANAGER]
    )
    for user in (manager.user, client_manager):
        user.set_password(DEMO_PASSWORD)
        user.save()
    load_demo_contracts()
    return Vendor.objects.get(code="ONC"), Vendor.objects.get(code="HGCS")


def test_the_board_side_by_side_and_a_vendor_managers_review_note(live_server, page, screenshot):
    ensure_site_tree()  # a transactional test before this one flushed the tree
    ensure_content_permissions()
    onc, hgcs = _people()

    sign_in(page, live_server, "nuri-manager", "/contracts/board/")
    expect(page.get_by_role("heading", level=1)).to_have_text("KPI 현황판")
    matrix = page.get_by_test_id("board-matrix")
    expect(matrix.get_by_test_id("matrix-row")).to_have_count(2)
    expect(matrix).to_contain_text("온누리컨택")
    expect(matrix).to_contain_text("한결CS")
    expect(matrix).to_contain_text("미달")
    onc_board = page.locator(f"#vendor-{onc.pk}")
    rate = onc_board.locator('[data-kpi="response-rate"]')
    expect(rate.get_by_test_id("kpi-value")).to_have_text("84.9%")
    expect(rate.get_by_test_id("missed-in-a-row")).to_have_text("2개월 연속 미달")
    expect(page.get_by_test_id("vendor-board")).to_have_count(2)
    screenshot("client-manager")

    # The same board in the admin, filtered to one vendor.
    page.goto(f"{live_server.url}/admin/contracts/board/")
    page.get_by_label("협력사", exact=True).select_option(str(hgcs.pk))
    page.get_by_role("button", name="보기").click()
    expect(page.get_by_test_id("vendor-board")).to_have_count(1)
    expect(page.get_by_test_id("vendor-board")).to_contain_text("채팅 응답률")
    screenshot("admin-one-vendor")

    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, live_server, "onc-manager", "/contracts/board/")
    boards = page.get_by_test_id("vendor-board")
    expect(boards).to_have_count(1)
    expect(boards).to_contain_text("온누리컨택")
    expect(page.locator("body")).not_to_contain_text("한결CS")
    expect(page.get_by_test_id("board-filter")).to_have_count(0)
    form = page.get_by_test_id("review-form")
    form.get_by_role("button").click()  # empty: refused, nothing written
    expect(form.get_by_role("alert")).to_contain_text("합의한 내용을 적어 주세요.")
    form = page.get_by_test_id("review-form")
    form.get_by_label("합의 사항").fill("11월 응답률 주간 점검: 매주 월요일 공유, 피크 4명 유지.")
    form.get_by_role("button").click()
    expect(page.locator(".message--success")).to_contain_text("리뷰 노트를 저장했습니다")
    expect(page.get_by_test_id("review-notes")).to_contain_text("매주 월요일 공유")
    # Nothing wider than the phone: the page never scrolls sideways.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot("vendor-manager-phone")
    # The months table scrolls in its card; each row's month stays in view.
    months = page.get_by_role("region", name="월별 실적")
    months.scroll_into_view_if_needed()
    months.evaluate("region => region.scrollLeft = region.scrollWidth")
    month = months.get_by_role("rowheader").first
    region_box, month_box = months.bounding_box(), month.bounding_box()
    assert abs(month_box["x"] - region_box["x"]) < 1
    expect(months.get_by_role("columnheader", name="리뷰", exact=True)).to_be_in_viewport()
    months.screenshot(path=str(SCREENSHOTS / "kpi-months-scrolled-phone.png"))
