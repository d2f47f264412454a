"""The owner answers: status and reply on the item's form, the agent told in the portal
and by email, what resolved it checked."""

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from feedback.forms import FeedbackReviewForm
from feedback.models import FeedbackItem, Status
from feedback.tasks import tell_agents
from tests.feedback.builders import raise_on, resolve
from tests.notices.builders import publish_notice

pytestmark = pytest.mark.django_db


def edit_url(item):
    return reverse("wagtailsnippets_feedback_feedbackitem:edit", args=[item.pk])


def answer(client, item, **data):
    fields = {
        "owner": item.owner_id or "",
        "status": Status.IN_REVIEW,
        "reply": "",
        "resolved_by_revision": "",
        "resolved_by_notice": "",
    }
    return client.post(edit_url(item), {**fields, **data})


def test_the_owner_answers_and_the_agent_is_told(
    client, world, pages, eager_celery, mailoutbox, django_capture_on_commit_callbacks
):
    item = raise_on(pages["refund"], world.agent_a1)
    client.force_login(pages["owner"])
    assert "환불 기간이 헷갈립니다." in client.get(edit_url(item)).text
    with django_capture_on_commit_callbacks(execute=True):
        response = answer(client, item, status=Status.ACCEPTED, reply="다음 개정에 반영합니다.")
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.status, item.reply) == (Status.ACCEPTED, "다음 개정에 반영합니다.")
    assert item.answered_at is not None
    [mail] = mailoutbox
    assert mail.to == [world.agent_a1.user.email]
    assert "단순 변심 환불" in mail.subject
    assert "다음 개정에 반영합니다." in mail.body

    # In the portal: news on the home page until "My feedback" is opened.
    client.force_login(world.agent_a1.user)
    assert 'data-testid="feedback-answers"' in client.get("/").text
    mine = client.get(reverse("feedback:mine")).text
    assert "다음 개정에 반영합니다." in mine
    assert 'data-testid="feedback-answers"' not in client.get("/").text

    # Saved again with nothing changed: no second email.
    client.force_login(pages["owner"])
    with django_capture_on_commit_callbacks(execute=True):
        answer(client, item, status=Status.ACCEPTED, reply="다음 개정에 반영합니다.")
    assert len(mailoutbox) == 1


def test_a_resolution_must_be_done_and_of_the_same_page(client, world, pages):
    item = raise_on(pages["refund"], world.agent_a1)
    notice = publish_notice(everyone=True)
    client.force_login(pages["owner"])
    response = answer(client, item, status=Status.ACCEPTED, resolved_by_notice=notice.pk)
    assert response.status_code == 200
    [error] = response.context["form"].non_field_errors()
    assert error == str(FeedbackReviewForm.resolved_only_when_done)
    assert escape(error) in response.content.decode()
    other_revision = pages["coupon"].live_revision_id
    response = answer(client, item, status=Status.DONE, resolved_by_revision=other_revision)
    assert response.status_code == 200
    item.refresh_from_db()
    assert item.status == Status.NEW and item.resolved_by_revision_id is None

    own_revision = pages["refund"].save_revision()
    own_revision.publish()
    response = answer(client, item, status=Status.DONE, resolved_by_revision=own_revision.pk)
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.credited


def test_tell_agents_sends_each_answer_once(world, pages, mailoutbox):
    item = raise_on(pages["refund"], world.agent_a1)
    assert tell_agents([item.pk]) == 0  # not answered yet
    answered = FeedbackItem.objects.filter(pk=item.pk)
    answered.update(status=Status.DECLINED, answered_at=timezone.now())
    assert tell_agents([item.pk]) == 1
    assert tell_agents([item.pk]) == 0
    assert len(mailoutbox) == 1


def test_only_a_notice_the_agent_may_read_resolves_their_item(client, world, pages):
    item = raise_on(pages["coupon"], world.agent_a1)
    for_a = publish_notice("한결 쿠폰 안내", vendors=[world.vendor_a])
    for_b = publish_notice("온누리 쿠폰 안내", vendors=[world.vendor_b])
    client.force_login(pages["owner"])
    response = client.get(edit_url(item))
    choices = response.context["form"].fields["resolved_by_notice"].queryset
    assert set(choices) == {for_a}
    assert "온누리 쿠폰 안내" not in response.text

    # Posted by hand: refused on the field, nothing saved.
    response = answer(client, item, status=Status.DONE, resolved_by_notice=for_b.pk)
    assert response.status_code == 200
    assert response.context["form"].errors["resolved_by_notice"]
    item.refresh_from_db()
    assert (item.status, item.resolved_by_notice_id) == (Status.NEW, None)

    assert answer(client, item, status=Status.DONE, resolved_by_notice=for_a.pk).status_code == 302


def test_a_notice_the_viewer_may_not_read_is_not_shown_with_the_credit(client, world, pages):
    # Chosen before the chooser knew better, or unpublished since.
    for_b = publish_notice("온누리 쿠폰 안내", vendors=[world.vendor_b])
    resolve(raise_on(pages["coupon"], world.agent_a1), notice=for_b)
    for user in (world.agent_a1.user, world.manager_a.user):
        client.force_login(user)
        for url in ("/", reverse("feedback:mine"), reverse("feedback:vendor")):
            response = client.get(url)
            assert "온누리 쿠폰 안내" not in response.text, (user, url)
    client.force_login(world.agent_a1.user)
    assert 'data-testid="credit"' in client.get("/").text


def test_only_a_later_published_revision_of_the_page_resolves_it(client, world, pages):
    refund = pages["refund"]
    older = refund.save_revision()
    older.publish()
    refund.refresh_from_db()
    item = raise_on(refund, world.agent_a1)
    assert item.revision_id == older.pk
    draft = refund.save_revision()
    published = refund.save_revision()
    published.publish()
    client.force_login(pages["owner"])
    choices = client.get(edit_url(item)).context["form"].fields["resolved_by_revision"].queryset
    assert list(choices) == [published]

    for refused in (older, draft, pages["coupon"].live_revision):
        response = answer(client, item, status=Status.DONE, resolved_by_revision=refused.pk)
        assert response.status_code == 200
        assert response.context["form"].errors["resolved_by_revision"]
    item.refresh_from_db()
    assert (item.status, item.resolved_by_revision_id) == (Status.NEW, None)


def test_a_resolution_given_to_a_done_item_is_news_to_the_agent(
    client, world, pages, eager_celery, mailoutbox, django_capture_on_commit_callbacks
):
    item = resolve(raise_on(pages["coupon"], world.agent_a1))
    FeedbackItem.objects.filter(pk=item.pk).update(emailed_at=item.answered_at)
    notice = publish_notice("쿠폰 안내 변경", everyone=True)
    mailoutbox.clear()
    client.force_login(pages["owner"])
    with django_capture_on_commit_callbacks(execute=True):
        response = answer(
            client, item, status=Status.DONE, reply=item.reply, resolved_by_notice=notice.pk
        )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.credited and item.is_news
    [mail] = mailoutbox
    assert mail.to == [world.agent_a1.user.email]
