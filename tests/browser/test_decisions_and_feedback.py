"""The loops that close the relationship, as people use them: an agent records a decision
under a policy (and is refused past its limit, with where to escalate), raises feedback
on the same policy; its owner resolves it in the admin with the revision that fixed the
page; the agent finds the credit on their home page."""

import re

import pytest
from playwright.sync_api import expect

from decisions.models import Decision
from feedback.models import FeedbackItem, Status
from home.site_tree import ensure_site_tree
from knowledge.models import AuthorityLevel
from portal.organisation.demo import load_demo_organisation
from portal.organisation.roles import ensure_content_permissions
from portal.publishing import publish_again
from tests.browser.builders import sign_in
from tests.knowledge.builders import policy, section

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_decision_and_a_feedback_go_round_to_a_credit(live_server, page, screenshot):
    from datetime import date, timedelta

    from django.contrib.auth import get_user_model

    ensure_site_tree()  # a transactional test before this one flushed the tree
    logins = load_demo_organisation()
    ensure_content_permissions()  # a flushed database has the tree back, not the grants
    agent_login = next(x for x in logins if x.role == "agent" and x.username.startswith("hgcs"))
    owner = get_user_model().objects.get(username="nuri-manager")
    delay = policy(
        section("배송"),
        "배송 지연 보상",
        "약속한 날보다 3일 넘게 늦은 배송",
        script="불편을 드려 죄송합니다. 적립금을 지급해 드리겠습니다.",
        authority=AuthorityLevel.AGENT_REPORTS,
        limit_amount_krw=5000,
        limit_times_per_customer=2,
        limit_window_days=30,
        escalation_route="CS 운영팀 보상 심사",
        escalation_contact="내선 2210",
        effective_from=date.today() - timedelta(days=7),
    )
    delay.content_owner = owner
    delay.save_revision().publish()

    sign_in(page, live_server, agent_login.username, delay.url)
    expect(page.get_by_role("heading", level=1)).to_have_text("배송 지연 보상")
    form = page.get_by_test_id("decision-form")
    form.locator("summary").click()
    form.get_by_label("채널").select_option("phone")
    form.get_by_label("금액").fill("3000")
    form.get_by_label("고객").fill("010-1234-5678")
    form.get_by_label("주문").fill("ORD-20261126-7781")
    screenshot("decision-form")
    form.get_by_role("button").click()
    expect(page).to_have_url(re.compile(r"/decisions/\d+/$"))
    expect(page.locator("main")).to_contain_text("7781")
    expect(page.locator("main")).not_to_contain_text("ORD-20261126-7781")  # masked
    screenshot("decision-recorded")

    # Over the limit: refused, recorded as such, with where to go instead.
    page.goto(live_server.url + delay.url)
    form.locator("summary").click()
    form.get_by_label("채널").select_option("chat")
    form.get_by_label("금액").fill("9000")
    form.get_by_label("고객").fill("01012345678")
    form.get_by_role("button").click()
    expect(page.locator("main")).to_contain_text("CS 운영팀 보상 심사")
    screenshot("decision-refused")
    outcomes = sorted(Decision.objects.unscoped().values_list("outcome", flat=True))
    assert outcomes == [Decision.Outcome.RECORDED, Decision.Outcome.REFUSED]

    page.goto(live_server.url + delay.url)
    box = page.get_by_test_id("feedback")
    box.locator("summary").click()
    box.get_by_label("불명확").check()
    box.locator("textarea[name=text]").fill("'3일 넘게'가 영업일인지 달력 기준인지 묻습니다.")
    screenshot("feedback-form")
    box.get_by_role("button", name="피드백 보내기").click()
    expect(page.locator("main")).to_contain_text("영업일인지")
    item = FeedbackItem.objects.unscoped().get()
    assert item.owner == owner

    # The owner clarifies the policy, then answers the item with that revision.
    publish_again(
        type(delay).objects.get(pk=delay.pk),
        material=False,
        situation="약속한 날보다 달력 기준 3일 넘게 늦은 배송",
    )
    edit = f"/admin/snippets/feedback/feedbackitem/edit/{item.pk}/"
    sign_in(page, live_server, "nuri-manager", edit)
    page.locator("#id_status").select_option("done")
    page.locator("#id_reply").fill("달력 기준으로 정책에 밝혔습니다. 고맙습니다.")
    resolved = page.locator("#id_resolved_by_revision")
    resolved.select_option(index=1)
    screenshot("feedback-admin")
    page.locator("footer button[type=submit]").first.click()
    expect(page.locator(".messages")).to_be_visible()
    item.refresh_from_db()
    assert item.status == Status.DONE and item.resolved_by_revision_id
    assert item.resolved_by_revision.object_id == str(delay.pk)

    sign_in(page, live_server, agent_login.username)
    credits = page.get_by_test_id("credits")
    expect(credits).to_contain_text("배송 지연 보상")
    screenshot("credited")
