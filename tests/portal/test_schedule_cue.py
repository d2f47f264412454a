"""Above a page's form the publisher reads when publishing takes effect, with a button to
Wagtail's scheduling dialog (which otherwise hides in the status side panel)."""

from datetime import timedelta
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone

from portal.organisation.roles import Role, ensure_content_permissions
from tests.factories import make_client_staff
from tests.knowledge.builders import policy, section
from tests.notices.builders import draft_notice
from tests.training.builders import publish_course

pytestmark = pytest.mark.django_db


@pytest.fixture
def publisher(client):
    ensure_content_permissions()
    client.force_login(make_client_staff(Role.CLIENT_PUBLISHER))


def cue(client, page) -> str:
    response = client.get(reverse("wagtailadmin_pages:edit", args=[page.pk]))
    assert response.status_code == 200
    text = unescape(response.text)
    start = text.index('data-testid="schedule-cue"')
    return text[start : text.index("</div>", start)]


def local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def test_a_notice_says_it_is_sent_at_once_and_offers_the_schedule(client, publisher):
    shown = cue(client, draft_notice())
    assert "게시하면 즉시 적용됩니다." in shown
    assert "그때 대상 상담사에게 이메일과 공지 목록으로 발송됩니다." in shown
    assert 'data-a11y-dialog-show="schedule-publishing-dialog"' in shown
    assert "게시 일정 설정" in shown


def test_a_draft_with_a_go_live_time_says_publish_will_schedule_it(client, publisher):
    notice = draft_notice()
    when = timezone.now() + timedelta(days=2)
    notice.go_live_at = when
    notice.save_revision()
    shown = cue(client, notice)
    assert f"게시를 누르면 {local(when)}에 게시되도록 예약됩니다." in shown
    assert "일정 변경" in shown


def test_a_scheduled_first_publish_says_when_and_what_it_does(client, publisher):
    notice = draft_notice()
    go_live = timezone.now() + timedelta(days=1)
    notice.go_live_at = go_live
    notice.save_revision().publish()
    shown = cue(client, notice)
    assert f"게시 예약됨: {local(go_live)}에 게시됩니다." in shown
    assert "그때 대상 상담사에게 이메일과 공지 목록으로 발송됩니다." in shown


def test_a_live_page_with_a_scheduled_version_says_when_it_is_replaced(client, publisher):
    page = policy(section("주문·배송"), "배송 지연 보상", "배송이 늦어진 경우")
    go_live, expire = timezone.now() + timedelta(days=1), timezone.now() + timedelta(days=30)
    page.go_live_at, page.expire_at = go_live, expire
    page.save_revision().publish()
    shown = cue(client, page)
    assert f"새 버전 게시 예약됨: {local(go_live)}에 지금의 게시본을 대신합니다." in shown
    assert f"{local(expire)}에 게시가 종료됩니다." in shown


def test_a_draft_after_a_scheduled_version_is_what_the_cue_describes(client, publisher):
    page = policy(section("주문·배송"), "배송 지연 보상", "배송이 늦어진 경우")
    first = timezone.now() + timedelta(days=1)
    page.go_live_at = first
    page.save_revision().publish()
    page = page.get_latest_revision_as_object()
    later, expire = timezone.now() + timedelta(days=5), timezone.now() + timedelta(days=9)
    page.go_live_at, page.expire_at = later, expire
    page.save_revision()
    shown = cue(client, page)
    assert f"게시를 누르면 {local(later)}에 게시되도록 예약됩니다." in shown
    assert f"이전 버전이 {local(first)}에 게시 예약되어 있습니다." in shown
    assert f"{local(expire)}에 게시가 종료됩니다." in shown
    assert "새 버전 게시 예약됨" not in shown


def test_a_live_page_says_publishing_shows_it_at_once(client, publisher):
    shown = cue(client, policy(section("주문·배송"), "배송 지연 보상", "배송이 늦어진 경우"))
    assert "게시하면 즉시 적용됩니다." in shown
    assert "그때부터 열람 권한이 있는 상담사에게 보입니다." in shown


def test_a_course_says_what_publishing_it_does(client, publisher):
    shown = cue(client, publish_course("신규 상담사 입문"))
    assert "그때부터 수강자는 이 버전을 따릅니다." in shown
