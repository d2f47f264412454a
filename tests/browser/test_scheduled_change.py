"""A publisher schedules a policy change with its notice; an agent sees "변경 예정" on the
policy, confirms the notice reading a plain difference, and once the change takes effect
the policy shows the new rule. Screenshots: the diff and the policy's banners."""

import re
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect
from wagtail.models import Revision

from knowledge.models import AnswerScript
from notices.models import Acknowledgement, Change
from portal.organisation.demo import load_demo_organisation
from portal.organisation.roles import ensure_content_permissions
from tests.browser.builders import sign_in
from tests.knowledge.builders import policy, section
from tests.notices.builders import notice_section

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_scheduled_change_and_its_notice_tell_the_same_story(live_server, page, screenshot):
    logins = load_demo_organisation()
    notice_section()
    ensure_content_permissions()
    refund = policy(
        section("결제·환불"),
        "단순 변심 환불",
        "상품을 받은 뒤 마음이 바뀌어 환불을 원하는 경우",
        limit_amount_krw=50000,
    )
    refund.scripts = [AnswerScript(channel="phone", text="수령 후 7일 이내면 환불해 드립니다.")]
    refund.save_revision().publish()
    agent = next(x for x in logins if x.role == "agent" and x.username.startswith("hgcs"))

    # The publisher changes the limit and the script, and schedules it with a notice.
    sign_in(page, live_server, "nuri-publisher", f"/admin/pages/{refund.pk}/edit/")
    page.wait_for_load_state("networkidle")
    # Above the form: when publishing takes effect, and Wagtail's scheduling one click away.
    cue = page.get_by_test_id("schedule-cue")
    expect(cue).to_contain_text("게시하면 즉시 적용됩니다.")
    screenshot("schedule-cue")
    cue.get_by_role("button", name="게시 일정 설정").click()
    expect(page.locator("#schedule-publishing-dialog")).to_be_visible()
    expect(page.locator("#schedule-publishing-dialog #id_go_live_at")).to_be_visible()
    screenshot("schedule-dialog")
    page.keyboard.press("Escape")
    expect(page.locator("#schedule-publishing-dialog")).to_be_hidden()
    page.locator("#id_limit_amount_krw").fill("70000")
    page.locator("#id_scripts-0-text").fill("수령 후 14일 이내면 환불해 드립니다.")
    page.locator("footer [data-w-dropdown-target=toggle]").first.click()
    page.locator("button[name=action-announce]").click()
    expect(page.get_by_test_id("what-changes")).to_contain_text("70,000원")
    tomorrow = timezone.localtime(timezone.now() + timedelta(days=1)).strftime("%Y-%m-%d 09:00")
    page.locator("#id_effective_at").fill(tomorrow)
    page.locator("#id_acknowledge_by").fill(tomorrow)
    page.locator("#id_title").fill("환불 기준 변경: 7일 → 14일, 한도 7만 원")
    page.keyboard.press("Escape")  # the date picker the fields above opened
    page.get_by_test_id("what-changes").click()
    # The picker sometimes stays drawn over the form after its field lost focus (its own
    # fade-out), and a click on the button would land on it: close it as a person would
    # by looking away, without waiting on its animation.
    page.evaluate(
        "document.querySelectorAll('.xdsoft_datetimepicker').forEach(p => p.style.display = 'none')"
    )
    screenshot("announce")
    page.get_by_test_id("announce-submit").click()
    expect(page.locator(".messages")).to_contain_text(tomorrow.split()[0])
    change = Change.objects.get()

    # The agent sees the change coming on the policy and confirms the notice.
    sign_in(page, live_server, agent.username, refund.url)
    banner = page.get_by_test_id("change-pending")
    expect(banner).to_contain_text("50,000원 → 70,000원")
    expect(page.get_by_test_id("change-unconfirmed")).to_be_visible()
    screenshot("policy-pending")
    banner.get_by_role("link").first.click()
    change_section = page.get_by_test_id("page-change")
    expect(change_section.locator("del").first).to_contain_text("50,000원")
    expect(change_section.locator("ins").first).to_contain_text("70,000원")
    expect(change_section).to_contain_text("수령 후 14일 이내면 환불해 드립니다.")
    screenshot("notice-diff")
    page.get_by_test_id("acknowledge-button").click()
    expect(page.get_by_test_id("acknowledged")).to_be_visible()
    assert Acknowledgement.objects.unscoped().filter(notice=change.notice).count() == 1

    # The effective time comes: beat publishes the scheduled revision.
    past = timezone.now() - timedelta(seconds=1)
    revision = Revision.objects.get(pk=change.revision_id)
    revision.content["go_live_at"] = past.isoformat()
    revision.approved_go_live_at = past
    revision.save(update_fields=["content", "approved_go_live_at"])
    call_command("publish_scheduled")
    page.goto(f"{live_server.url}{refund.url}")
    expect(page.get_by_test_id("change-recent")).to_contain_text("50,000원 → 70,000원")
    expect(page.locator("dl.facts")).to_contain_text(re.compile("70,000"))
    expect(page.get_by_test_id("change-unconfirmed")).to_have_count(0)
    screenshot("policy-changed")
