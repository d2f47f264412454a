"""A vendor manager imports a roster in the portal, beside their agent list: bad rows are
listed, then the fixed file imports, then a change to one of their agents."""

import pytest
from playwright.sync_api import expect

from home.site_tree import ensure_site_tree
from portal.organisation.demo import DEMO_PASSWORD, load_demo_organisation
from portal.organisation.models import AgentProfile

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HEADER = "사번,이름,이메일,팀,채널,투입일\n"
BAD = (
    HEADER + "7001,정다은,daeun@example.com,SEL1,전화,2026-12-07\n7002,,x@,BUSAN,팩스,2026-13-01\n"
)
GOOD = (
    HEADER
    + "7001,정다은,daeun@example.com,SEL1,전화,2026-12-07\n"
    + "7002,최민준,minjun@example.com,SEL2,채팅,2026-12-14\n"
)
MOVED = GOOD.replace("minjun@example.com,SEL2", "minjun@example.com,SEL1")


def test_a_vendor_manager_fixes_a_roster_after_reading_the_row_errors(
    live_server, page, screenshot, tmp_path
):
    ensure_site_tree()
    load_demo_organisation()
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("계정").fill("hgcs-manager")
    page.get_by_label("비밀번호").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="로그인").click()
    page.get_by_role("link", name="내 상담사").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("내 상담사")
    screenshot("agents")

    # The import sits beside the agent list, in the portal: vendor managers have no admin.
    page.get_by_test_id("import-roster").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("한결CS")
    assert "/org/roster/" in page.url
    bad = tmp_path / "명단.csv"
    bad.write_bytes(BAD.encode("cp949"))
    page.set_input_files("input[type=file]", str(bad))
    page.get_by_role("button", name="가져오기").click()
    errors = page.get_by_test_id("roster-errors")
    expect(errors).to_contain_text("아무것도 가져오지 않았습니다")
    expect(page.get_by_role("cell", name="알 수 없는 팀 “BUSAN”", exact=False)).to_be_visible()
    screenshot("errors")
    assert not AgentProfile.objects.filter(employee_number="7001").exists()

    good = tmp_path / "명단-수정.csv"
    good.write_bytes(GOOD.encode("cp949"))
    page.set_input_files("input[type=file]", str(good))
    page.get_by_role("button", name="가져오기").click()
    expect(page.get_by_test_id("roster-report")).to_contain_text("신규 2")
    screenshot("imported")
    assert AgentProfile.objects.filter(employee_number__in=["7001", "7002"]).count() == 2

    moved = tmp_path / "명단-이동.csv"
    moved.write_bytes(MOVED.encode("cp949"))
    page.set_input_files("input[type=file]", str(moved))
    page.get_by_role("button", name="가져오기").click()
    expect(page.get_by_test_id("roster-report")).to_contain_text("변경 1")
    expect(page.get_by_test_id("recent-imports")).to_contain_text("명단-이동.csv")
    assert AgentProfile.objects.get(employee_number="7002").team.code == "SEL1"
