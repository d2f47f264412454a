"""Owners and review dates: publishing and "Mark as verified" verify a page, agents see
whether it is verified or overdue, owners are reminded once per due date, and client
staff follow two reports (overdue, stale content) with inert exports."""

import csv
import io
from datetime import UTC, datetime, timedelta
from importlib import import_module

import pytest
from django.apps import apps as django_apps
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.forms.models import apply_limit_choices_to_to_formfield
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from openpyxl import load_workbook
from wagtail.log_actions import LogContext
from wagtail.models import Page, PageLogEntry, Revision

from knowledge.models import ArticlePage, KnowledgePage, ReviewReminder
from knowledge.verification import review_pages, send_review_reminders, verify
from notices.models import AffectedPage, Change
from portal.organisation.roles import Role
from tests.admin_forms import form_data
from tests.factories import make_client_staff
from tests.knowledge.builders import section
from tests.notices.builders import publish_notice

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(world):
    return {
        "owner": make_client_staff(Role.CLIENT_EDITOR, name="홍길동", language="ko"),
        "editor": make_client_staff(Role.CLIENT_EDITOR, name="김편집"),
        "publisher": make_client_staff(Role.CLIENT_PUBLISHER, name="이게시"),
        "manager": world.client_manager,
    }


def owned(page, owner, **fields):
    """Give ``page`` an owner (and any review fields) on its row, as the admin would."""
    type(page).objects.filter(pk=page.pk).update(content_owner=owner, **fields)
    page.refresh_from_db()
    return page


def verified_days_ago(page, days, interval=90):
    at = timezone.now() - timedelta(days=days)
    type(page).objects.filter(pk=page.pk).update(verified_at=at, review_interval_days=interval)
    page.refresh_from_db()
    return page


def korean(msgid: str) -> str:
    with translation.override("ko"):
        return gettext(msgid)


@pytest.fixture
def korean_catalogue():
    """The Korean badge needs the msgids of this feature in portal/locale."""
    if korean("Review overdue") == "Review overdue":
        pytest.skip("the verification msgids are not yet translated in portal/locale")


# --- fields, publishing ------------------------------------------------------------------


def test_a_new_page_is_reviewed_every_90_days_and_has_no_owner_yet(knowledge):
    page = knowledge["delay"]
    assert page.review_interval_days == 90
    assert page.content_owner is None
    # Published by the fixture: publishing verified it, when it went live.
    assert page.verified_at == page.last_published_at
    assert page.review_due == page.verified_at + timedelta(days=90)
    assert not page.is_review_overdue


def test_only_client_staff_can_own_a_page(world, staff):
    field = ArticlePage._meta.get_field("content_owner").formfield()
    apply_limit_choices_to_to_formfield(field)
    choices = set(field.queryset)
    assert {staff["owner"], staff["publisher"], staff["manager"]} <= choices
    assert not {world.agent_a1.user, world.lead_a1.user, world.manager_a.user} & choices


def test_the_review_interval_offers_a_month_a_quarter_half_a_year_and_a_year():
    assert [days for days, _label in KnowledgePage.ReviewInterval.choices] == [30, 90, 180, 365]


def test_the_owner_name_falls_back_to_the_free_text_owner(knowledge, staff):
    page = knowledge["delay"]
    type(page).objects.filter(pk=page.pk).update(owner_name="결제팀")
    page.refresh_from_db()
    assert page.owner_display_name == "결제팀"
    assert owned(page, staff["owner"]).owner_display_name == "홍길동"


def test_publishing_in_the_admin_verifies_the_page_by_its_publisher(client, knowledge, staff):
    page = verified_days_ago(knowledge["refund"], 200)
    client.force_login(staff["publisher"])
    edit = reverse("wagtailadmin_pages:edit", args=[page.pk])
    data = form_data(client.get(edit).text)
    data["action-publish"] = ["action-publish"]
    response = client.post(edit, data)
    assert response.status_code == 302, response.text[:2000]

    page.refresh_from_db()
    assert page.verified_by == staff["publisher"]
    assert page.verified_at == page.last_published_at
    assert timezone.now() - page.verified_at < timedelta(minutes=1)
    assert not page.is_review_overdue


def test_a_workflow_approval_verifies_by_the_approver(knowledge, staff):
    payments = section("결제")
    draft = ArticlePage(title="새 환불 기준", body=[("text", "<p>초안</p>")], live=False)
    payments.add_child(instance=draft)
    draft.save_revision(user=staff["editor"])
    state = draft.get_workflow().start(draft, staff["editor"])
    task_state = state.current_task_state
    # Wagtail runs every admin view in a log context naming its user.
    with LogContext(user=staff["publisher"]):
        task_state.task.specific.on_action(task_state, staff["publisher"], "approve")

    draft.refresh_from_db()
    assert draft.live and draft.verified_by == staff["publisher"]


def test_a_scheduled_publish_is_verified_by_whoever_scheduled_it(knowledge, staff):
    page = knowledge["delay"]
    page.go_live_at = timezone.now() + timedelta(hours=1)
    revision = page.save_revision(user=staff["editor"])
    with LogContext(user=staff["publisher"]):
        revision.publish(user=staff["publisher"])
    # The hour has passed when beat's publish_scheduled runs (no user acts then).
    past = timezone.now() - timedelta(minutes=1)
    revision.content["go_live_at"] = past.isoformat()
    revision.approved_go_live_at = past
    revision.save(update_fields=["content", "approved_go_live_at"])
    call_command("publish_scheduled")

    page.refresh_from_db()
    assert page.live_revision_id == revision.pk
    assert page.verified_by == staff["publisher"]
    assert page.verified_at == page.last_published_at


def test_owner_names_become_owners_where_they_name_one_client_staff_member(knowledge, staff):
    migration = import_module("knowledge.migrations.0002_owners_and_review")
    make_client_staff(Role.CLIENT_EDITOR, name="김동명")
    make_client_staff(Role.CLIENT_PUBLISHER, name="김동명")
    names = {"delay": "홍길동", "coupon": "김동명", "english": "결제팀"}
    for key, name in names.items():
        ArticlePage.objects.filter(pk=knowledge[key].pk).update(owner_name=name)

    migration.owners_from_names(django_apps, None)

    owners = dict(ArticlePage.objects.values_list("title", "content_owner"))
    assert owners["배송 지연 안내"] == staff["owner"].pk
    assert owners["쿠폰 적용 오류"] is None  # two people of that name: nobody guesses
    assert owners["Refund policy for overseas customers"] is None  # a team, not a person
    assert ArticlePage.objects.get(pk=knowledge["english"].pk).owner_name == "결제팀"


def test_a_revision_does_not_carry_an_old_verification(knowledge, staff):
    page = knowledge["delay"]
    draft = page.save_revision(user=staff["editor"])
    verify(page, staff["owner"])
    page.refresh_from_db()
    # The draft was saved before the verification; opened for editing or published,
    # it keeps the page's verification, not the one of its time.
    assert draft.as_object().verified_at == page.verified_at
    assert draft.as_object().verified_by_id == staff["owner"].pk


# --- "Mark as verified" ------------------------------------------------------------------


def verify_url(page):
    return reverse("knowledge_verify_page", args=[page.pk])


def test_the_owner_marks_a_page_verified_without_a_new_revision(client, knowledge, staff):
    page = owned(verified_days_ago(knowledge["delay"], 100), staff["owner"])
    assert page.is_review_overdue
    revisions = Revision.page_revisions.filter(object_id=str(page.pk)).count()
    changed = page.last_published_at

    client.force_login(staff["owner"])
    confirm = client.get(verify_url(page))
    assert confirm.status_code == 200
    assert 'method="POST"' in confirm.text
    page.refresh_from_db()
    assert page.is_review_overdue  # asking changes nothing

    response = client.post(verify_url(page))
    assert response.status_code == 302
    assert response["Location"] == reverse("wagtailadmin_pages:edit", args=[page.pk])
    page.refresh_from_db()
    assert page.verified_by == staff["owner"]
    assert not page.is_review_overdue
    assert Revision.page_revisions.filter(object_id=str(page.pk)).count() == revisions
    assert page.last_published_at == changed
    assert PageLogEntry.objects.filter(page=page, action="knowledge.verify").count() == 1


def test_a_publisher_may_verify_a_page_they_do_not_own(client, knowledge, staff):
    page = owned(knowledge["delay"], staff["owner"])
    client.force_login(staff["publisher"])
    assert client.post(verify_url(page)).status_code == 302
    page.refresh_from_db()
    assert page.verified_by == staff["publisher"]


def refused(response):
    """Wagtail's answer to PermissionDenied in the admin: back to the dashboard, with
    "Sorry, you do not have permission..." (a 403 for the admin's own XHR)."""
    return response.status_code == 302 and response["Location"] == reverse("wagtailadmin_home")


def test_another_editor_may_not_verify(client, knowledge, staff):
    page = owned(verified_days_ago(knowledge["delay"], 100), staff["owner"])
    client.force_login(staff["editor"])
    assert refused(client.get(verify_url(page)))
    assert refused(client.post(verify_url(page)))
    xhr = client.post(verify_url(page), headers={"x-requested-with": "XMLHttpRequest"})
    assert xhr.status_code == 403
    page.refresh_from_db()
    assert page.is_review_overdue


def test_verifying_needs_the_csrf_token(knowledge, staff):
    page = owned(verified_days_ago(knowledge["delay"], 100), staff["owner"])
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(staff["owner"])
    assert browser.post(verify_url(page)).status_code == 403
    page.refresh_from_db()
    assert page.is_review_overdue


def test_vendor_side_people_and_other_pages_are_refused(client, world, knowledge, staff):
    page = knowledge["delay"]
    client.force_login(world.manager_a.user)
    assert client.post(verify_url(page)).status_code in (302, 403)
    page.refresh_from_db()
    assert page.verified_by is None
    client.force_login(staff["publisher"])
    home = page.get_parent().get_parent()
    assert client.get(verify_url(home)).status_code == 404


def test_the_edit_page_offers_mark_as_verified_to_the_owner_only(client, knowledge, staff):
    page = owned(knowledge["delay"], staff["owner"])
    edit = reverse("wagtailadmin_pages:edit", args=[page.pk])
    client.force_login(staff["owner"])
    assert verify_url(page) in client.get(edit).text
    client.force_login(staff["editor"])
    assert verify_url(page) not in client.get(edit).text


# --- what agents see ---------------------------------------------------------------------


def late_evening_utc():
    """Yesterday 16:30 UTC: already today in Seoul (UTC+9). Returns (instant, Seoul date)."""
    at = datetime.now(UTC).replace(hour=16, minute=30, second=0, microsecond=0)
    at -= timedelta(days=1)
    seoul = (at + timedelta(hours=9)).date()
    assert seoul != at.date()
    return at, seoul.isoformat()


def test_agents_see_verified_with_the_date_in_seoul_and_the_owner(client, world, knowledge, staff):
    owner = make_client_staff(Role.CLIENT_EDITOR, name="Hong Gildong")
    at, seoul = late_evening_utc()
    page = owned(knowledge["delay"], owner, verified_at=at)
    client.force_login(world.agent_a1.user)
    html = client.get(page.url, HTTP_ACCEPT_LANGUAGE="en").text
    assert f"Verified · {seoul} · Owner Hong Gildong" in html
    assert "badge--done" in html and "Review overdue" not in html


def test_agents_see_review_overdue(client, world, knowledge, staff):
    page = owned(verified_days_ago(knowledge["delay"], 91), staff["owner"])
    client.force_login(world.agent_a1.user)
    html = client.get(page.url, HTTP_ACCEPT_LANGUAGE="en").text
    assert "Review overdue" in html and "badge--warn" in html
    assert "Verified ·" not in html
    assert "Owner 홍길동" in html


def test_in_korean_verified_and_overdue(client, world, knowledge, staff, korean_catalogue):
    at, seoul = late_evening_utc()
    verified = owned(knowledge["delay"], staff["owner"], verified_at=at)
    overdue = owned(verified_days_ago(knowledge["coupon"], 100), staff["owner"])
    client.force_login(world.agent_a1.user)
    assert f"검증됨 · {seoul} · 담당 홍길동" in client.get(verified.url).text
    assert "검토 기한 지남" in client.get(overdue.url).text


def test_the_badge_costs_one_query_for_the_owner_and_no_more(
    client, world, knowledge, staff, django_assert_num_queries
):
    plain, with_owner = knowledge["delay"], owned(knowledge["coupon"], staff["owner"])
    client.force_login(world.agent_a1.user)
    counts = []
    for page in (plain, with_owner):
        client.get(page.url)  # warm caches (site, content types)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(page.url).status_code == 200
        counts.append(len(queries))
    assert counts[1] == counts[0] + 1


# --- reminders ---------------------------------------------------------------------------


def test_the_owner_gets_one_digest_once_per_due_date(knowledge, staff):
    owner = staff["owner"]
    overdue = owned(verified_days_ago(knowledge["delay"], 95), owner)
    owned(verified_days_ago(knowledge["coupon"], 90), owner)  # due today
    owned(verified_days_ago(knowledge["english"], 10), owner)  # not yet due

    assert send_review_reminders() == 1
    assert send_review_reminders() == 0  # run twice: still one email
    [message] = mail.outbox
    assert message.to == [owner.email]
    assert "배송 지연 안내" in message.body and "쿠폰 적용 오류" in message.body
    assert "Refund policy for overseas customers" not in message.body
    edit = f"http://testserver/admin/pages/{overdue.pk}/edit/"
    assert edit in message.body
    html, kind = message.alternatives[0]
    assert kind == "text/html" and f'href="{edit}"' in html
    assert ReviewReminder.objects.count() == 2

    # Verified again: a new period, reminded again when it falls due.
    verify(overdue, owner)
    mail.outbox.clear()
    send_review_reminders(now=timezone.now() + timedelta(days=60))
    assert not [m for m in mail.outbox if m.to == [owner.email]]
    send_review_reminders(now=timezone.now() + timedelta(days=91))
    [again] = [m for m in mail.outbox if m.to == [owner.email]]
    assert "배송 지연 안내" in again.body


def test_the_reminder_is_in_the_owners_language(knowledge, staff):
    owner = staff["owner"]
    owner.language = "en"
    owner.save()
    owned(verified_days_ago(knowledge["delay"], 95), owner)
    send_review_reminders()
    [message] = mail.outbox
    assert "1 page is due for review" in message.subject
    assert "5 days overdue" in message.body


def test_pages_without_an_owner_go_to_the_client_managers(knowledge, staff):
    verified_days_ago(knowledge["delay"], 95)
    second_manager = make_client_staff(Role.CLIENT_MANAGER)
    assert send_review_reminders() == 2
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [staff["manager"].email, second_manager.email]
    )
    assert ReviewReminder.objects.get().owner is None


def test_unpublished_pages_and_past_policies_are_not_reviewed(knowledge, staff):
    owned(verified_days_ago(knowledge["delay"], 95), staff["owner"]).unpublish()
    policy = knowledge["refund"]
    type(policy).objects.filter(pk=policy.pk).update(
        verified_at=timezone.now() - timedelta(days=95),
        effective_until=timezone.localdate() - timedelta(days=1),
    )
    assert not review_pages().filter(review_due_at__lte=timezone.now()).exists()
    assert send_review_reminders() == 0


# --- reports -----------------------------------------------------------------------------


def overdue_url(**params):
    url = reverse("knowledge_review_overdue")
    return url + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


def test_the_overdue_report_lists_pages_past_their_review(client, knowledge, staff):
    delay = owned(verified_days_ago(knowledge["delay"], 100), staff["owner"])
    verified_days_ago(knowledge["coupon"], 40, interval=30)
    verified_days_ago(knowledge["english"], 40)  # within 90 days

    client.force_login(staff["editor"])
    response = client.get(overdue_url())
    assert response.status_code == 200
    rows = {page.title: page for page in response.context["object_list"]}
    assert set(rows) == {"배송 지연 안내", "쿠폰 적용 오류"}
    row = rows["배송 지연 안내"]
    assert row.owner_display == "홍길동"
    assert row.section_title == "주문·배송"
    assert row.days_overdue == 10
    assert row.review_due_on == timezone.localdate(delay.review_due)
    assert reverse("wagtailadmin_pages:edit", args=[delay.pk]) in response.text

    by_owner = client.get(overdue_url(owner=staff["owner"].pk)).context["object_list"]
    assert [page.title for page in by_owner] == ["배송 지연 안내"]
    in_payments = client.get(overdue_url(section=knowledge["payments"].pk))
    assert [page.title for page in in_payments.context["object_list"]] == ["쿠폰 적용 오류"]


def test_the_overdue_report_uses_a_fixed_number_of_queries(
    client, knowledge, staff, django_assert_num_queries
):
    client.force_login(staff["editor"])
    owned(verified_days_ago(knowledge["delay"], 100), staff["owner"])
    client.get(overdue_url())  # warm-up
    with CaptureQueriesContext(connection) as one:
        client.get(overdue_url())
    for name in ("coupon", "english", "refund"):
        owned(verified_days_ago(knowledge[name], 100), staff["editor"])
    with django_assert_num_queries(len(one)):
        response = client.get(overdue_url())
    assert len(response.context["object_list"]) == 4


def test_only_client_staff_see_the_reports(client, world):
    for name in ("knowledge_review_overdue", "notices_stale_content"):
        client.force_login(world.manager_a.user)
        assert client.get(reverse(name)).status_code in (302, 403)
        client.force_login(world.client_manager)
        assert client.get(reverse(name)).status_code == 200
    reports_menu = client.get(reverse("wagtailadmin_home")).text
    assert reverse("knowledge_review_overdue") in reports_menu
    assert reverse("notices_stale_content") in reports_menu


def test_exports_keep_formulas_inert(client, knowledge, staff):
    page = verified_days_ago(knowledge["delay"], 100)
    type(page).objects.filter(pk=page.pk).update(owner_name="=1+1")
    Page.objects.filter(pk=page.pk).update(title='=HYPERLINK("http://x","y")')
    client.force_login(staff["editor"])

    response = client.get(overdue_url(export="csv"))
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[1][0] == '\'=HYPERLINK("http://x","y")'
    assert rows[1][2] == "'=1+1"

    response = client.get(overdue_url(export="xlsx"))
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    title = sheet.cell(row=2, column=1)
    assert title.value == '=HYPERLINK("http://x","y")'
    assert title.data_type == "s" and title.quotePrefix
    assert sheet.cell(row=2, column=6).value == 10  # days overdue stays a number


def test_the_stale_content_report_lists_pages_older_than_their_notice(
    client, knowledge, staff, django_assert_num_queries
):
    refund, delay, coupon = knowledge["refund"], knowledge["delay"], knowledge["coupon"]
    owned(refund, staff["owner"])
    notice = publish_notice("환불 접수 기간 변경: 7일 → 14일", everyone=True)
    for page in (refund, delay, coupon):
        AffectedPage.objects.create(notice=notice, page=page)
    # The delay article changed after the notice: it says what the notice says.
    delay.save_revision().publish()
    # The coupon article's change is announced and still to come: not stale yet.
    effective_at = timezone.now() + timedelta(days=3)
    scheduled = coupon.save_revision()
    scheduled.approved_go_live_at = effective_at
    scheduled.save(update_fields=["approved_go_live_at"])
    Change.objects.create(notice=notice, page=coupon, revision=scheduled, effective_at=effective_at)
    expired = publish_notice("지난 행사", everyone=True)
    AffectedPage.objects.create(notice=expired, page=refund)
    type(expired).objects.filter(pk=expired.pk).update(
        effective_until=timezone.now() - timedelta(hours=1)
    )

    client.force_login(staff["editor"])
    url = reverse("notices_stale_content")
    client.get(url)  # warm-up
    with CaptureQueriesContext(connection) as one:
        response = client.get(url)
    [row] = response.context["object_list"]
    assert (row.page_id, row.notice_id) == (refund.pk, notice.pk)
    assert row.owner_display == "홍길동"
    assert "환불 접수 기간 변경" in response.text

    # Fixed queries: a second stale link costs none more.
    second = publish_notice("환불 안내 문구 변경", everyone=True)
    AffectedPage.objects.create(notice=second, page=knowledge["english"])
    with django_assert_num_queries(len(one)):
        response = client.get(url)
    assert len(response.context["object_list"]) == 2

    response = client.get(url + "?export=csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert len(rows[0]) == 6
    assert {r[0] for r in rows[1:]} == {refund.title, knowledge["english"].title}
