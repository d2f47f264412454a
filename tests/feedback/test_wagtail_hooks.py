"""The review queue: client staff filter, export and change many items at once."""

import csv
import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from feedback.models import FeedbackItem, Status
from tests.factories import UserFactory
from tests.feedback.builders import raise_on, resolve
from tests.training.builders import publish_course

pytestmark = pytest.mark.django_db

LIST = "wagtailsnippets_feedback_feedbackitem:list"


def listed(client, **query):
    response = client.get(reverse(LIST), query)
    assert response.status_code == 200
    return {item.pk for item in response.context["object_list"]}


def test_filters_by_kind_status_page_vendor_and_age(client, world, pages):
    unclear = raise_on(pages["refund"], world.agent_a1)
    idea = raise_on(pages["coupon"], world.agent_b1, kind="idea")
    old = raise_on(pages["coupon"], world.agent_a2, kind="wrong")
    FeedbackItem.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - timedelta(days=40), status=Status.IN_REVIEW
    )
    client.force_login(world.client_manager)

    assert listed(client) == {unclear.pk, idea.pk, old.pk}
    assert listed(client, kind="idea") == {idea.pk}
    assert listed(client, status="in_review") == {old.pk}
    assert listed(client, page=pages["refund"].pk) == {unclear.pk}
    assert listed(client, vendor=world.vendor_b.pk) == {idea.pk}
    assert listed(client, age="30") == {old.pk}
    assert listed(client, owner=pages["owner"].pk) == {unclear.pk}


def test_vendor_side_people_never_reach_the_queue(client, world):
    client.force_login(world.manager_a.user)
    assert client.get(reverse(LIST)).status_code in (302, 403)


def test_the_queue_reads_a_fixed_number_of_queries(client, world, pages, django_assert_num_queries):
    raise_on(pages["refund"], world.agent_a1)
    client.force_login(world.client_manager)
    client.get(reverse(LIST))  # warm-up
    with CaptureQueriesContext(connection) as one:
        client.get(reverse(LIST))
    for agent in (world.agent_a2, world.agent_b1, world.lead_a1):
        raise_on(pages["coupon"], agent, kind="missing")
    with django_assert_num_queries(len(one)):
        assert len(listed(client)) == 4


def test_the_export_keeps_formulas_inert(client, world, pages):
    raise_on(pages["refund"], world.agent_a1, text='=HYPERLINK("http://x","y")')
    client.force_login(world.client_manager)
    response = client.get(reverse(LIST), {"export": "csv"})
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert '\'=HYPERLINK("http://x","y")' in rows[1]
    assert "단순 변심 환불" in rows[1]


def test_bulk_status_change_tells_each_agent_once(
    client, world, pages, eager_celery, mailoutbox, django_capture_on_commit_callbacks
):
    first = raise_on(pages["refund"], world.agent_a1)
    second = raise_on(pages["coupon"], world.agent_b1)
    already = raise_on(pages["coupon"], world.agent_a2)
    FeedbackItem.objects.filter(pk=already.pk).update(status=Status.IN_REVIEW)
    client.force_login(world.client_manager)
    url = (
        reverse("wagtail_bulk_action", args=["feedback", "feedbackitem", "set_status"])
        + f"?next=/admin/&id={first.pk}&id={second.pk}&id={already.pk}"
    )
    assert client.get(url).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"status": Status.IN_REVIEW})
    assert response.status_code == 302
    statuses = set(FeedbackItem.objects.values_list("status", flat=True))
    assert statuses == {Status.IN_REVIEW}
    assert sorted(mail.to[0] for mail in mailoutbox) == sorted(
        [world.agent_a1.user.email, world.agent_b1.user.email]
    )
    assert client.post(url, {"status": "nonsense"}).status_code == 200
    assert set(FeedbackItem.objects.values_list("status", flat=True)) == {Status.IN_REVIEW}


def test_feedback_is_never_added_or_deleted_in_the_admin(client, world, pages):
    item = raise_on(pages["refund"], world.agent_a1)
    client.force_login(UserFactory(is_superuser=True))
    assert client.get(reverse("wagtailsnippets_feedback_feedbackitem:add")).status_code == 302
    delete = reverse("wagtailsnippets_feedback_feedbackitem:delete", args=[item.pk])
    assert client.post(delete).status_code == 302
    assert FeedbackItem.objects.filter(pk=item.pk).exists()
    assert client.get(reverse(LIST)).status_code == 200


def test_moved_away_from_done_in_bulk_an_item_loses_what_resolved_it(client, world, pages):
    item = resolve(
        raise_on(pages["refund"], world.agent_a1), revision=pages["refund"].save_revision()
    )
    client.force_login(world.client_manager)
    url = (
        reverse("wagtail_bulk_action", args=["feedback", "feedbackitem", "set_status"])
        + f"?next=/admin/&id={item.pk}"
    )
    assert client.post(url, {"status": Status.ACCEPTED}).status_code == 302
    item.refresh_from_db()
    assert item.status == Status.ACCEPTED
    assert (item.resolved_by_revision_id, item.resolved_by_notice_id, item.credited) == (
        None,
        None,
        False,
    )
    # Its form takes an answer again.
    edit = reverse("wagtailsnippets_feedback_feedbackitem:edit", args=[item.pk])
    data = {"owner": item.owner_id, "status": Status.ACCEPTED, "reply": "검토 중입니다."}
    assert (
        client.post(
            edit, {**data, "resolved_by_revision": "", "resolved_by_notice": ""}
        ).status_code
        == 302
    )


def test_feedback_on_a_lesson_names_it_in_the_queue_export_form_and_email(
    client, world, pages, eager_celery, mailoutbox, django_capture_on_commit_callbacks
):
    course = publish_course(lessons=2)
    with django_capture_on_commit_callbacks(execute=True):
        item = raise_on(course, world.agent_a1, lesson_id=course.lessons[1].id)
    raise_on(pages["refund"], world.agent_a2)
    assert "2강" in mailoutbox[0].body
    assert "2강" in mailoutbox[0].alternatives[0][0]

    client.force_login(world.client_manager)
    response = client.get(reverse(LIST))
    assert {row.lesson_title for row in response.context["object_list"]} == {"2강", ""}
    assert "2강" in response.text
    response = client.get(reverse(LIST), {"export": "csv"})
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = {row[0]: row for row in csv.reader(io.StringIO(body))}
    assert "2강" in rows[str(item.pk)]
    edit = reverse("wagtailsnippets_feedback_feedbackitem:edit", args=[item.pk])
    assert "2강" in client.get(edit).text
