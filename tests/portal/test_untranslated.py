"""Nothing in the interface is left in the other language: each admin and portal page,
rendered under Korean, shows none of the English words Wagtail and the portal use for
their controls, and under English none of the portal's Korean ones.

The lists name interface words, not content: titles and names in the test data are
Korean on purpose, and are not what this looks for.
"""

import re

import pytest
from django.contrib.auth import get_user_model

from portal.organisation.roles import Role
from tests.knowledge.builders import policy, section
from tests.notices.builders import publish_notice
from tests.training.builders import publish_course

pytestmark = pytest.mark.django_db

#: English a Korean reader met in the admin and the portal before they were translated.
ENGLISH_UI = [
    "Just now", "Pages", "Saved", "Set schedule", "No publishing schedule set", "Status",
    "Filter by", "Loading", "Checks", "Content metrics", "Words", "Reading time",
    "Readability", "Side panel width", "Issues found", "Page type", "Edited by",
    "Date updated", "Has child pages", "Show disabled", "Last login", "Access level",
    "Instances", "Anyone can edit this", "Preview is out of date", "Autosave is paused",
    "Dashboard", "Search", "Edit", "Delete", "Cancel", "Publish", "Save draft", "Sign out",
    "Log out", "Settings", "Reports", "Help", "My tasks", "Training", "Menu",
    "Set publishing schedule", "Save schedule", "Choose when this page should go live",
    "Go-live", "Expiry", "Live", "View live",
]  # fmt: skip
#: Wagtail's Korean words the admin replaces (a page is 게시 중, not 라이브), and the
#: agents' 투입 완료, which once stood for a live page too.
REPLACED_KOREAN = ["라이브", "투입 완료"]
#: The roles' group names, which the admin shows as their roles' Korean names.
ROLES = [*(role.value for role in Role), "Editors", "Moderators"]
#: The portal's own Korean for its controls, which an English reader must not meet.
KOREAN_UI = ["내 할 일", "로그아웃", "검색", "메뉴", "공지 확인 현황", "업무 투입 준비 현황"]


def visible_text(html: str) -> str:
    """What a reader sees, or will when a script shows it: no scripts, styles, tags or
    attributes (a template's content, such as a dialog's, counts)."""
    html = re.sub(r"(?s)<(script|style)\b[^>]*>.*?</\1>", " ", html)
    # A tag ends at the first ">" outside its quoted attributes ("w-autosave->...").
    return " ".join(re.sub(r"""<(?:[^>"']|"[^"]*"|'[^']*')*>""", " ", html).split())


def left_over(text: str, words) -> list[str]:
    return [w for w in words if re.search(rf"(?<![\w-]){re.escape(w)}(?![\w-])", text)]


@pytest.fixture
def pages(world):
    notice = publish_notice(everyone=True)
    rule = policy(section("결제"), "환불 정책", "환불 요청")
    course = publish_course()
    return notice, rule, course


def test_the_admin_under_korean_shows_no_english_controls(client, world, pages):
    from knowledge.editorial import ensure_editorial_workflow

    ensure_editorial_workflow()
    notice, rule, course = pages
    admin = get_user_model().objects.create_superuser("ko-admin", "ko-admin@example.com", "x")
    client.force_login(admin)
    urls = [
        "/admin/",
        f"/admin/pages/{notice.get_parent().pk}/",
        f"/admin/pages/{notice.pk}/edit/",
        f"/admin/pages/{rule.pk}/edit/",
        f"/admin/pages/{course.pk}/edit/",
        f"/admin/pages/add/notices/changenoticepage/{notice.get_parent().pk}/",
        f"/admin/pages/{notice.pk}/history/",
        "/admin/users/",
        "/admin/users/new/",
        f"/admin/users/edit/{world.agent_a1.user.pk}/",
        "/admin/reports/aging-pages/",
        "/admin/reports/site-history/",
        "/admin/workflows/list/",
        "/admin/workflows/tasks/index/",
        "/admin/vendor-offboarding/",
        "/admin/images/",
        "/admin/images/multiple/add/",
        "/admin/images/chooser/",
        "/admin/documents/",
        "/admin/documents/multiple/add/",
        "/admin/documents/chooser/",
        "/admin/reports/locked/",
        "/admin/reports/workflow/",
        "/admin/reports/workflow_tasks/",
        "/admin/reports/page-types-usage/",
        "/admin/redirects/",
        "/admin/collections/",
        f"/admin/pages/{rule.pk}/move/",
        f"/admin/pages/{rule.pk}/copy/",
        f"/admin/pages/{rule.pk}/delete/",
        f"/admin/pages/{rule.pk}/unpublish/",
        f"/admin/pages/{rule.pk}/usage/",
        f"/admin/pages/{rule.pk}/revisions/compare/earliest...latest/",
    ]
    found = {}
    for url in urls:
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="ko")
        assert response.status_code == 200, url
        text = visible_text(_html(response))
        # Workflow lists name a task's group as stored (Wagtail's seeded "Moderators").
        groups = [] if "/workflow" in url else ROLES
        words = left_over(text, ENGLISH_UI + groups) + left_over(text, REPLACED_KOREAN)
        if words := words + english_phrases(text):
            found[url] = words
    assert found == {}


#: English that stays English in a Korean admin: keys and names; the workflows' bilingual
#: names and Wagtail's own seeded one (data); and Python's None and True, which Wagtail
#: prints for an empty "published by" and in a screen-reader-only status cell.
NOT_UI = {
    "Ctrl", "Alt", "Shift", "Esc", "Cmd", "Enter", "Tab", "Wagtail", "JavaScript", "Root",
    "Review", "Publisher approval", "Moderators approval", "None", "True",
}  # fmt: skip


def english_phrases(text: str) -> list[str]:
    """Capitalised English words (alone or leading a phrase): a control left untranslated."""
    found = re.findall(r"(?<![\w/.-])[A-Z][a-z]+(?:[A-Z][a-z]+)*(?: [a-z]+)*", text)
    return sorted({phrase for phrase in found if phrase not in NOT_UI})


def _html(response) -> str:
    if response.get("Content-Type", "").startswith("application/json"):
        return response.json().get("html", "")  # a chooser's modal
    return response.content.decode()


def test_the_portal_speaks_one_language_at_a_time(client, world, pages):
    notice, rule, course = pages
    urls = ["/", notice.url, rule.url, course.url, "/knowledge/search/?q=환불"]
    client.force_login(world.agent_a1.user)
    for language, words in (("ko", ENGLISH_UI), ("en", KOREAN_UI)):
        found = {}
        for url in urls:
            response = client.get(url, follow=True, HTTP_ACCEPT_LANGUAGE=language)
            assert response.status_code == 200, url
            if left := left_over(visible_text(response.content.decode()), words):
                found[url] = left
        assert found == {}, language
