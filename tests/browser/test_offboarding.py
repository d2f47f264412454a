"""Off-boarding as the client's CX manager does it in the admin: choose the vendor, the
day its accounts end and how long its records are kept, read what will happen, confirm;
then change their mind and cancel before the day."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from handover.models import VendorOffboarding
from home.site_tree import ensure_site_tree
from portal.organisation.demo import DEMO_PASSWORD
from portal.organisation.roles import Role, ensure_content_permissions
from portal.periods import today
from tests.browser.builders import sign_in
from tests.factories import TeamFactory, UserFactory, VendorFactory, make_agent

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_client_manager_schedules_an_off_boarding_then_cancels_it(live_server, page, screenshot):
    ensure_site_tree()  # a transactional test before this one flushed the tree
    ensure_content_permissions()
    onc = VendorFactory(name="온누리컨택", code="ONC")
    hgcs = VendorFactory(name="한결CS", code="HGCS", client=onc.client)
    for vendor, people in ((onc, 3), (hgcs, 2)):
        team = TeamFactory(vendor=vendor)
        for _ in range(people):
            make_agent(team)
    manager = UserFactory(username="nuri-manager", name="문서영", roles=[Role.CLIENT_MANAGER])
    manager.set_password(DEMO_PASSWORD)
    manager.save()
    end = today() + timedelta(days=30)

    sign_in(page, live_server, "nuri-manager", "/admin/vendor-offboarding/")
    table = page.get_by_test_id("offboardings")
    expect(table).to_contain_text("온누리컨택")
    table.get_by_role("row").filter(has_text="온누리컨택").get_by_role(
        "link", name="종료 처리…"
    ).click()
    page.get_by_label("계정 종료일").fill(end.isoformat())
    page.get_by_label("보관 기간(일)").fill("180")
    screenshot("form")
    page.get_by_role("button", name="계속").click()

    confirm = page.get_by_test_id("confirm-offboarding")
    expect(confirm).to_contain_text("온누리컨택 (ONC)")
    expect(confirm).to_contain_text(end.isoformat())
    expect(confirm).to_contain_text((end + timedelta(days=180)).isoformat())
    assert not VendorOffboarding.objects.exists()  # nothing until confirmed
    screenshot("confirm")
    page.get_by_role("button", name="협력사 종료 확인").click()

    row = page.get_by_test_id("offboardings").get_by_role("row").filter(has_text="온누리컨택")
    expect(row).to_contain_text("예정")
    expect(row).to_contain_text(end.isoformat())
    offboarding = VendorOffboarding.objects.get()
    assert (offboarding.vendor_id, offboarding.accounts_end_on) == (onc.pk, end)
    assert offboarding.retention_days == 180
    screenshot("scheduled")

    row.get_by_test_id("cancel-offboarding").click()
    page.get_by_role("button", name="협력사 종료 취소").click()
    expect(page.get_by_test_id("offboardings")).to_be_visible()
    assert not VendorOffboarding.objects.exists()
