"""A publisher publishes a notice in the admin; an agent confirms it from their inbox; the
vendor manager's dashboard counts it. A real Celery worker delivers in between."""

import re

import pytest
from playwright.sync_api import expect

from notices.models import Acknowledgement, Delivery
from portal.organisation.demo import load_demo_organisation
from portal.organisation.models import AgentProfile
from portal.organisation.roles import ensure_content_permissions
from tests.browser.builders import sign_in
from tests.notices.builders import notice_section
from tests.worker import celery_worker, wait_for

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_a_notice_goes_from_the_admin_to_the_agent_and_the_dashboard(live_server, page, screenshot):
    logins = load_demo_organisation()
    section = notice_section()
    ensure_content_permissions()  # a flushed database has the tree back, not the grants
    agent_login = next(x for x in logins if x.role == "agent" and x.username.startswith("hgcs"))
    manager_login = next(x for x in logins if x.role == "vendor manager" and "한결" in x.where)

    with celery_worker("browser") as worker:
        sign_in(page, live_server, "nuri-publisher", "/admin/")
        page.goto(f"{live_server.url}/admin/pages/add/notices/changenoticepage/{section.pk}/")
        page.wait_for_load_state("networkidle")  # the admin's scripts, e.g. title → slug
        page.locator("#id_title").fill("연말 배송 마감 안내")
        page.locator("#id_title").blur()
        expect(page.locator("#id_slug")).not_to_have_value("")
        page.locator("#id_kind").select_option("launch")
        page.locator("#id_summary").fill("12월 24일 오후 2시 주문까지 연내 배송됩니다.")
        # Type into the rich-text editor once it is up, as a person would.
        editor = page.locator("[data-contentpath=changes] .public-DraftEditor-content")
        editor.click()
        page.keyboard.type("12월 24일 14시 이후 주문은 1월 2일부터 배송합니다.")
        # Draftail saves into its hidden input a moment later; submit only once it has.
        expect(page.locator("#id_changes")).to_have_value(re.compile("1월 2일부터"))
        page.get_by_label("한결CS").check()
        screenshot("admin-form")
        page.locator("footer [data-w-dropdown-target=toggle]").first.click()
        page.locator("button[name=action-publish]").click()
        expect(page.locator(".messages")).to_contain_text("게시")

        wait_for(lambda: Delivery.objects.unscoped().count() >= 30, timeout=60, worker=worker)

    sign_in(page, live_server, agent_login.username)
    inbox = page.get_by_test_id("inbox")
    expect(inbox).to_contain_text("연말 배송 마감 안내")
    expect(inbox).to_contain_text("확인 필요")
    screenshot("inbox")
    inbox.get_by_role("link", name="연말 배송 마감 안내").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("연말 배송 마감 안내")
    page.get_by_test_id("acknowledge-button").click()
    # Answered 303 with a light page of its own: the record, and the ways back.
    expect(page).to_have_url(re.compile(r"/notices/\d+/acknowledged/$"))
    expect(page.locator(".messages")).to_contain_text("확인이 기록되었습니다")
    confirmed = page.get_by_test_id("acknowledged")
    expect(confirmed).to_contain_text("확인 완료")
    expect(confirmed.get_by_role("heading", level=1)).to_have_text("연말 배송 마감 안내")
    expect(page.get_by_test_id("acknowledged-version")).to_contain_text("버전 1")
    screenshot("acknowledged")
    page.reload()  # a reload shows the page again; it does not post again
    expect(confirmed).to_contain_text("확인 완료")
    confirmed.get_by_role("link", name="공지로 돌아가기").click()
    expect(page.locator(".ack-done")).to_be_visible()
    agent = AgentProfile.objects.unscoped().get(user__username=agent_login.username)
    assert Acknowledgement.objects.unscoped().filter(agent=agent).count() == 1

    sign_in(page, live_server, manager_login.username, "/notices/manage/")
    page.get_by_role("link", name="연말 배송 마감 안내").click()
    expect(page.get_by_test_id("acknowledged")).to_have_text("1")
    expect(page.get_by_test_id("delivered")).not_to_have_text("0")
    expect(page.get_by_test_id("agents")).not_to_contain_text(agent.employee_number)
    screenshot("dashboard")
