"""One change, one truth: a page's scheduled revision and the notice that announces it."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from wagtail.models import Revision

from notices import changes
from notices.models import Change, ChangeNoticePage, NoticeVersion
from portal.organisation.roles import Role, ensure_content_permissions
from tests.admin_forms import form_data
from tests.factories import make_client_staff
from tests.knowledge.builders import policy, section

from .builders import ack, draft_notice, notice_section

pytestmark = pytest.mark.django_db

RULE_BEFORE = "<p>영수증이 필요합니다.</p><p>수령 후 7일 이내 환불</p>"
RULE_AFTER = "<p>영수증이 필요합니다.</p><p>수령 후 14일 이내 환불</p>"


@pytest.fixture
def refund(world):
    """A live refund policy for vendor A, with a draft that changes its rule and limit."""
    notice_section()
    only_a = section("한결 전용", audience=[(world.vendor_a, None)])
    page = policy(only_a, "단순 변심 환불", "고객이 환불을 요청하는 경우", limit_amount_krw=50000)
    page.conditions = RULE_BEFORE
    page.save_revision().publish()
    page.refresh_from_db()
    page.conditions = RULE_AFTER
    page.limit_amount_krw = 70000
    page.save_revision()
    page.refresh_from_db()
    return page


def tomorrow():
    return timezone.now() + timedelta(days=1)


def announce(page, publisher, **fields):
    return changes.announce(
        page,
        effective_at=fields.pop("effective_at", tomorrow()),
        user=publisher,
        new_notice=changes.NewNotice(
            title="환불 접수 기간 변경: 7일 → 14일",
            summary="12월 1일부터 14일 이내 환불",
            **fields,
        ),
    )


def take_effect(change):
    """Time passes: beat's publish_scheduled runs after the effective time."""
    past = timezone.now() - timedelta(seconds=1)
    revision = Revision.objects.get(pk=change.revision_id)
    revision.content["go_live_at"] = past.isoformat()
    revision.approved_go_live_at = past
    revision.save(update_fields=["content", "approved_go_live_at"])
    call_command("publish_scheduled")
    change.refresh_from_db()


def test_a_change_is_scheduled_and_announced_as_one_record(world, refund):
    publisher = make_client_staff(Role.CLIENT_PUBLISHER)
    effective_at = tomorrow()
    change = announce(refund, publisher, effective_at=effective_at)

    assert change.revision_id == refund.latest_revision_id
    assert change.base_revision_id == refund.live_revision_id
    assert Revision.objects.get(pk=change.revision_id).approved_go_live_at == effective_at
    notice = change.notice.specific
    assert notice.live and notice.effective_from == effective_at
    # The page's audience is the notice's: vendor A only.
    assert list(notice.audience_vendors.all()) == [world.vendor_a]
    assert not notice.audience_everyone
    assert [link.page_id for link in notice.affected_pages.all()] == [refund.pk]
    # What agents attest to names the revision that will go live.
    content = NoticeVersion.objects.get(notice=notice).content
    assert content["page_changes"][0]["revision"] == change.revision_id
    refund.refresh_from_db()
    assert refund.limit_amount_krw == 50000  # not yet


def test_the_notice_shows_the_difference_and_the_page_its_pending_change(client, world, refund):
    change = announce(refund, make_client_staff(Role.CLIENT_PUBLISHER))
    client.force_login(world.agent_a1.user)
    notice_page = client.get(change.notice.url).text
    assert "<del>50,000원</del>" in notice_page and "<ins>70,000원</ins>" in notice_page
    assert "수령 후 14일 이내 환불" in notice_page

    policy_page = client.get(refund.url).text
    assert 'data-testid="change-pending"' in policy_page
    assert "7일 → 14일" in policy_page or "50,000원 → 70,000원" in policy_page
    assert change.notice.url in policy_page
    assert 'data-testid="change-unconfirmed"' in policy_page
    assert "수령 후 7일 이내 환불" in policy_page  # the rule in force today

    ack(change.notice.specific, world.agent_a1)
    assert 'data-testid="change-unconfirmed"' not in client.get(refund.url).text


def test_at_the_effective_time_the_page_says_what_the_notice_said(client, world, refund):
    change = announce(refund, make_client_staff(Role.CLIENT_PUBLISHER))
    take_effect(change)
    assert change.took_effect_at is not None
    refund.refresh_from_db()
    assert refund.limit_amount_krw == 70000 and "14일" in refund.conditions
    client.force_login(world.agent_a1.user)
    page = client.get(refund.url).text
    assert 'data-testid="change-recent"' in page and 'data-testid="change-pending"' not in page
    assert "수령 후 14일 이내 환불" in page
    notice_page = client.get(change.notice.url).text
    assert "<ins>70,000원</ins>" in notice_page  # still the difference it announced


def test_the_recent_banner_leaves_after_the_configured_days(client, world, refund, settings):
    change = announce(refund, make_client_staff(Role.CLIENT_PUBLISHER))
    take_effect(change)
    Change.objects.filter(pk=change.pk).update(
        took_effect_at=timezone.now() - timedelta(days=settings.CHANGE_RECENT_DAYS + 1)
    )
    client.force_login(world.agent_a1.user)
    assert 'data-testid="change-recent"' not in client.get(refund.url).text


@pytest.mark.parametrize(
    "problem",
    ["past", "no draft", "no difference", "draft notice ends first", "audience cannot see"],
)
def test_bad_requests_are_refused_and_change_nothing(world, refund, problem):
    publisher = make_client_staff(Role.CLIENT_PUBLISHER)
    page, kwargs = refund, {"effective_at": tomorrow()}
    if problem == "past":
        kwargs["effective_at"] = timezone.now() - timedelta(minutes=1)
    elif problem == "no draft":
        page.revisions.exclude(pk=page.live_revision_id).delete()
        page.latest_revision = page.live_revision
        page.save()
    elif problem == "no difference":
        page.live_revision.as_object().save_revision()
        page.refresh_from_db()
    elif problem == "draft notice ends first":
        kwargs["notice"] = draft_notice(
            audience_everyone=False, effective_until=timezone.now() + timedelta(hours=1)
        )
        kwargs["notice"].audience_vendors.set([world.vendor_a])
    elif problem == "audience cannot see":
        kwargs["notice"] = draft_notice()  # everyone, vendor B included
    notices_before = ChangeNoticePage.objects.count()
    with pytest.raises(changes.ChangeRefused):
        if "notice" in kwargs:
            changes.announce(page, user=publisher, **kwargs)
        else:
            announce(page, publisher, **kwargs)
    assert not Change.objects.exists()
    assert ChangeNoticePage.objects.count() == notices_before
    assert not Revision.objects.filter(approved_go_live_at__isnull=False).exists()


def test_a_change_joins_a_draft_notice_being_prepared(world, refund):
    notice = draft_notice(audience_everyone=False)
    notice.audience_vendors.set([world.vendor_a])
    change = changes.announce(
        refund, effective_at=tomorrow(), user=make_client_staff(), notice=notice
    )
    notice.refresh_from_db()
    assert change.notice_id == notice.pk and not notice.live
    assert notice.effective_from == change.effective_at
    assert [link.page_id for link in notice.affected_pages.all()] == [refund.pk]


def test_withdrawing_a_change_unschedules_it_and_keeps_the_record(world, refund):
    change = announce(refund, make_client_staff(Role.CLIENT_PUBLISHER))
    changes.cancel(change, make_client_staff())
    change.refresh_from_db()
    assert change.withdrawn_at is not None
    assert Revision.objects.get(pk=change.revision_id).approved_go_live_at is None
    call_command("publish_scheduled")
    refund.refresh_from_db()
    assert refund.limit_amount_krw == 50000


# --- In the admin ---------------------------------------------------------------------


@pytest.fixture
def publisher(client):
    ensure_content_permissions()
    user = make_client_staff(Role.CLIENT_PUBLISHER)
    client.force_login(user)
    return user


def test_the_editor_saves_the_draft_then_opens_the_change_form(client, publisher, refund):
    edit = reverse("wagtailadmin_pages:edit", args=[refund.pk])
    page = client.get(edit)
    assert 'name="action-announce"' in page.text
    data = form_data(page.text)
    data["action-announce"] = ["announce"]
    response = client.post(edit, data)
    assert response.status_code == 302
    assert response["Location"] == reverse("notices_announce_change", args=[refund.pk])

    form = client.get(response["Location"])
    assert form.status_code == 200
    assert "<ins>70,000원</ins>" in form.text
    when = timezone.localtime(tomorrow()).strftime("%Y-%m-%d %H:%M")
    response = client.post(
        response["Location"],
        {
            "effective_at": when,
            "notice_choice": "new",
            "title": "환불 접수 기간 변경",
            "summary": "14일로 늘어납니다.",
            "kind": "policy",
            "acknowledgement_required": "on",
            "acknowledge_by": when,
            "publish_now": "on",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    change = Change.objects.get()
    assert change.notice.live and change.page_id == refund.pk


def test_the_change_form_refuses_a_past_date_clearly(client, publisher, refund):
    url = reverse("notices_announce_change", args=[refund.pk])
    response = client.post(
        url,
        {
            "effective_at": "2020-01-01 09:00",
            "notice_choice": "new",
            "title": "t",
            "summary": "s",
            "kind": "policy",
        },
    )
    assert response.status_code == 400
    assert "effective_at" in response.context["form"].errors
    assert not Change.objects.exists()


def test_only_publishers_reach_the_change_form(client, world, refund):
    url = reverse("notices_announce_change", args=[refund.pk])
    client.force_login(make_client_staff(Role.CLIENT_EDITOR))
    assert client.get(url).status_code in (302, 403)
    client.force_login(world.manager_a.user)
    assert client.get(url).status_code == 302  # vendor-side people never enter the admin


def test_a_page_with_an_announced_change_is_not_published_another_way(
    client, world, publisher, refund
):
    change = announce(refund, publisher)
    edit = reverse("wagtailadmin_pages:edit", args=[refund.pk])
    data = form_data(client.get(edit).text)
    data["action-publish"] = ["publish"]
    data["publish_without_notice"] = ["on"]
    client.post(edit, data)
    refund.refresh_from_db()
    assert refund.live_revision_id == change.base_revision_id  # Wagtail's schedule lock

    # Cancelling the schedule in Wagtail withdraws the change; the notice says so.
    Revision.objects.filter(pk=change.revision_id).update(approved_go_live_at=None)
    client.force_login(world.agent_a1.user)
    assert (
        "withdrawn" in client.get(change.notice.url).text
        or "철회" in client.get(change.notice.url).text
    )
    assert 'data-testid="change-pending"' not in client.get(refund.url).text


def test_a_material_change_without_a_notice_asks_for_confirmation(client, publisher, refund):
    edit = reverse("wagtailadmin_pages:edit", args=[refund.pk])
    data = form_data(client.get(edit).text)
    data["action-publish"] = ["publish"]
    response = client.post(edit, data)
    assert response.status_code == 200
    assert "publish_without_notice" in response.context["form"].errors
    refund.refresh_from_db()
    assert refund.limit_amount_krw == 50000

    data["publish_without_notice"] = ["on"]
    assert client.post(edit, data).status_code == 302
    refund.refresh_from_db()
    assert refund.limit_amount_krw == 70000


def test_the_notice_editor_refuses_a_page_part_of_its_audience_cannot_open(
    client, world, publisher, refund
):
    notice = draft_notice(title="전체 공지")  # for everyone, vendor B included
    edit = reverse("wagtailadmin_pages:edit", args=[notice.pk])
    data = form_data(client.get(edit).text)
    data.update(
        {
            "affected_pages-TOTAL_FORMS": ["1"],
            "affected_pages-0-page": [str(refund.pk)],
            "affected_pages-0-ORDER": ["1"],
            "affected_pages-0-id": [""],
            "affected_pages-0-DELETE": [""],
            # StreamFields are drawn by the editor's script, not in the HTML.
            "understanding_check-count": ["0"],
            "action-publish": ["publish"],
        }
    )
    response = client.post(edit, data)
    assert response.status_code == 200
    errors = " ".join(response.context["form"].non_field_errors())
    assert refund.title in errors and world.team_b1.name in errors
    notice.refresh_from_db()
    assert not notice.live


# --- What review found ----------------------------------------------------------------


def test_a_new_notice_goes_only_to_those_every_limit_above_the_page_admits(client, world):
    notice_section()
    both = section("공동 섹션", audience=[(world.vendor_a, None), (world.vendor_b, None)])
    only_a = section("한결 전용", parent=both, audience=[(world.vendor_a, None)])
    page = policy(only_a, "한결 보상", "보상", limit_amount_krw=1000)
    page.limit_amount_krw = 2000
    page.save_revision()
    change = announce(page, make_client_staff(Role.CLIENT_PUBLISHER))
    notice = change.notice.specific
    assert list(notice.audience_vendors.all()) == [world.vendor_a]
    assert not notice.audience_everyone
    client.force_login(world.agent_b1.user)
    assert client.get(notice.url).status_code == 404
    client.force_login(world.client_manager)
    assert "2,000원" in client.get(notice.url).text


def test_deleting_a_changed_page_or_a_draft_notice_is_no_error(client, publisher, refund):
    draft = draft_notice(audience_everyone=False)
    draft.audience_vendors.set([refund.get_parent().specific.knowledge_audience.first().vendor])
    changes.announce(refund, effective_at=tomorrow(), user=publisher, notice=draft)
    response = client.post(reverse("wagtailadmin_pages:delete", args=[draft.pk]))
    assert response.status_code == 302
    assert not Change.objects.exists()


def test_cancelling_the_schedule_in_wagtail_withdraws_the_change(world, refund):
    publisher = make_client_staff(Role.CLIENT_PUBLISHER)
    first = announce(refund, publisher)
    revision = Revision.objects.get(pk=first.revision_id)
    revision.approved_go_live_at = None  # what Wagtail's "cancel scheduled publish" does
    revision.save(update_fields=["approved_go_live_at"])
    first.refresh_from_db()
    assert first.withdrawn_at is not None
    second = changes.announce(
        refund,
        effective_at=tomorrow(),
        user=publisher,
        new_notice=changes.NewNotice(title="다시 안내", summary="다시"),
    )
    take_effect(second)
    first.refresh_from_db()
    assert second.took_effect_at and first.took_effect_at is None


def test_an_announced_course_change_is_material_for_its_learners(world):
    from tests.training.builders import publish_course
    from training.builders import pass_course
    from training.models import CourseVersion

    notice_section()
    course = publish_course(lessons=1)
    pass_course(course, world.agent_a1)
    lessons = list(course.lessons.raw_data)
    lessons[0]["value"]["body"] = [{"type": "text", "value": "<p>지연 보상 5,000원</p>"}]
    course.lessons = lessons
    course.material_change = False  # the editor's default for a new draft
    course.save_revision()
    course.refresh_from_db()
    change = announce(course, make_client_staff(Role.CLIENT_PUBLISHER))
    take_effect(change)
    newest = CourseVersion.objects.filter(course=course).order_by("-number").first()
    assert newest.number == 2 and newest.material


def test_two_changes_in_one_notice_start_with_the_first(client, world, publisher, refund):
    other = policy(refund.get_parent(), "교환", "교환 요청", limit_amount_krw=1000)
    other.limit_amount_krw = 3000
    other.save_revision()
    notice = draft_notice(audience_everyone=False)
    notice.audience_vendors.set([world.vendor_a])
    later, sooner = tomorrow() + timedelta(days=2), tomorrow()
    changes.announce(refund, effective_at=later, user=publisher, notice=notice)
    changes.announce(other, effective_at=sooner, user=publisher, notice=notice)
    notice.refresh_from_db()
    assert notice.effective_from == sooner
    edit = reverse("wagtailadmin_pages:edit", args=[notice.pk])
    data = form_data(client.get(edit).text)
    data.update({"understanding_check-count": ["0"], "action-publish": ["publish"]})
    response = client.post(edit, data)
    assert response.status_code == 302, response.context["form"].errors
    notice.refresh_from_db()
    assert notice.live


def test_a_scheduled_publish_counts_as_a_version(world, refund):
    from portal.diffs import version_diff

    change = announce(refund, make_client_staff(Role.CLIENT_PUBLISHER))
    take_effect(change)
    refund.refresh_from_db()
    diff = version_diff(refund, change.base_revision_id, world.agent_a1.user)
    assert diff.before_number and diff.after_number == diff.before_number + 1


def test_a_change_in_effect_before_its_notice_is_not_stale(world, refund):
    from notices.reports import stale_links

    change = announce(refund, make_client_staff(Role.CLIENT_PUBLISHER))
    take_effect(change)
    # The notice is republished after the page changed: still the same story.
    notice = change.notice.specific
    ChangeNoticePage.objects.filter(pk=notice.pk).update(
        first_published_at=timezone.now() + timedelta(minutes=1)
    )
    assert not stale_links().filter(page=refund).exists()


def test_rewording_the_title_is_no_change_of_the_rule(client, publisher, refund):
    refund.live_revision.as_object().save_revision()  # the draft is the live page again
    edit = reverse("wagtailadmin_pages:edit", args=[refund.pk])
    data = form_data(client.get(edit).text)
    data["title"] = ["단순 변심 환불 (안내)"]
    data["action-publish"] = ["publish"]
    assert client.post(edit, data).status_code == 302
