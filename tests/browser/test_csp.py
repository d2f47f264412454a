"""Under the Content-Security-Policy, nothing the portal or the admin needs is refused.

Chromium reports every refusal in the console ("Refused to ... because it violates the
following Content Security Policy directive"), for the page and its frames alike.
"""

import pytest
from PIL import Image as PillowImage
from playwright.sync_api import expect
from wagtail.images import get_image_model

from home.site_tree import ensure_site_tree
from knowledge.demo import load_demo_knowledge
from knowledge.models import AnswerPolicyPage, ArticlePage
from notices.demo import load_demo_notices
from notices.models import ChangeNoticePage
from portal.organisation.demo import DEMO_PASSWORD, load_demo_organisation
from portal.organisation.roles import ensure_content_permissions
from tests.factories import DEFAULT_PASSWORD, UserFactory
from training.demo import load_demo_training
from training.models import CoursePage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def refusals(page):
    """Every console message about the policy, and every script error, while the test runs."""
    seen = []

    def note(message):
        if "Content Security Policy" in message.text or "Refused to" in message.text:
            seen.append(message.text)

    page.on("console", note)
    page.on("pageerror", lambda error: seen.append(f"page error: {error}"))
    return seen


@pytest.fixture
def site(db):
    ensure_site_tree()
    ensure_content_permissions()


@pytest.fixture
def knowledge(site):
    """The demo's people and knowledge base: what the editor works on."""
    logins = load_demo_organisation()
    load_demo_knowledge()
    return logins


@pytest.fixture
def demo(knowledge):
    """And notices and courses: every kind of page an agent or a manager opens."""
    load_demo_notices()
    load_demo_training()
    return knowledge


def sign_in(page, url, username, password=DEMO_PASSWORD):
    page.goto(url)
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(password)
    page.locator("#id_password").press("Enter")


def test_the_portal_runs_under_the_policy(live_server, page, refusals, demo, screenshot):
    """For an agent, then for the vendor's manager and the client's."""
    agent = next(login for login in demo if login.role == "agent")
    response = page.goto(live_server.url + "/accounts/login/")
    assert "script-src 'self';" in response.headers["content-security-policy"] + ";"
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    sign_in(page, live_server.url + "/accounts/login/", agent.username)
    expect(page.get_by_role("heading", level=1)).to_have_text("내 할 일")
    screenshot("home")

    page.goto(live_server.url + "/knowledge/search/?q=환불")
    page.locator(".result a").first.click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    for model in (AnswerPolicyPage, ChangeNoticePage, CoursePage):
        shown = model.objects.live().first()
        page.goto(live_server.url + shown.url)
        expect(page.get_by_role("heading", level=1)).to_have_text(shown.title)
    page.goto(live_server.url + "/training/")
    expect(page.locator(".progress").first).to_be_visible()
    screenshot("training")

    # The managers' pages, on the portal and in the admin.
    page.context.clear_cookies()
    sign_in(page, live_server.url + "/accounts/login/", "hgcs-manager")
    page.goto(live_server.url + "/notices/manage/")
    page.locator("main table a").first.click()
    expect(page.get_by_test_id("remind-now")).to_be_visible()
    page.goto(live_server.url + "/training/readiness/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()

    page.context.clear_cookies()
    sign_in(page, live_server.url + "/admin/login/", "nuri-manager")
    for report in ("/admin/notice-status/", "/admin/readiness/"):
        page.goto(live_server.url + report)
        expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert refusals == [], "\n".join(refusals)


def test_the_admin_editor_and_preview_run_under_the_policy(
    live_server, page, refusals, knowledge, screenshot, tmp_path
):
    sign_in(page, live_server.url + "/admin/login/", "nuri-editor")
    expect(page.locator(".w-dashboard, main").first).to_be_visible()
    screenshot("dashboard")

    # Uploading shows the image from a blob: URL before the server has it.
    picture = tmp_path / "배송-지연-안내도.png"
    PillowImage.new("RGB", (400, 300), (200, 40, 40)).save(picture, "PNG")
    page.goto(live_server.url + "/admin/images/multiple/add/")
    page.set_input_files("input[type=file]", str(picture))
    expect(page.locator("#upload-list .upload-success")).to_be_visible()
    image = get_image_model().objects.get()

    article = ArticlePage.objects.live().first()
    page.goto(f"{live_server.url}/admin/pages/{article.pk}/edit/")
    expect(page.locator("#id_title")).to_have_value(article.title)

    # Draftail takes typing.
    editor = page.locator(".DraftEditor-root [contenteditable=true]").first
    editor.click()
    page.keyboard.press("End")
    page.keyboard.type(" 추가 문장")
    expect(editor).to_contain_text("추가 문장")

    # The preview panel shows the page as edited, framed by the admin.
    page.locator("#id_title").fill(article.title + " (개정)")
    page.locator("[data-side-panel-toggle=preview]").click()
    preview = page.frame_locator("#w-preview-iframe")
    expect(preview.get_by_role("heading", level=1)).to_have_text(article.title + " (개정)")
    screenshot("preview")

    # The image and document choosers open in their modal and choose (after the preview:
    # an empty chooser block would fail its validation).
    page.locator("button.c-sf-add-button").last.click()
    page.get_by_role("option", name="이미지", exact=True).click()
    page.get_by_role("button", name="이미지 선택").last.click()
    page.locator(".modal-content").get_by_role("link", name=image.title).click()
    expect(page.locator(".modal-content")).to_be_hidden()
    expect(page.get_by_text(image.title).last).to_be_visible()
    screenshot("image-chosen")

    page.locator("button.c-sf-add-button").last.click()
    page.get_by_role("option", name="문서", exact=True).click()
    page.get_by_role("button", name="문서 선택").last.click()
    expect(page.locator(".modal-content").get_by_role("tab", name="업로드")).to_be_visible()
    screenshot("document-chooser")
    page.locator(".modal-content").get_by_role("button", name="닫기").click()
    expect(page.locator(".modal-content")).to_be_hidden()

    # The accessibility checks run too.
    page.locator("[data-side-panel-toggle=checks]").click()
    page.wait_for_timeout(500)

    # Signing out of the admin is a POST from its own menu.
    page.locator(".sidebar-footer__account").click()
    page.get_by_role("button", name="로그아웃").click()
    expect(page).to_have_url(f"{live_server.url}/admin/login/")
    assert refusals == [], "\n".join(refusals)


def test_a_superusers_dashboard_runs_under_the_policy(live_server, page, refusals, site):
    # A superuser's dashboard has panels of its own (the upgrade check among them).
    UserFactory(username="root-admin", is_superuser=True)
    sign_in(page, live_server.url + "/admin/login/", "root-admin", DEFAULT_PASSWORD)
    expect(page.locator(".w-dashboard, main").first).to_be_visible()
    page.wait_for_load_state("networkidle")
    assert refusals == [], "\n".join(refusals)
