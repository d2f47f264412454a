"""Raising feedback: on pages the agent sees, with clear refusals that write nothing."""

import pytest
from django.urls import reverse

from feedback.models import FeedbackItem, Status
from feedback.tasks import tell_owner
from knowledge.verification import client_managers, responsible_owner
from tests.factories import make_client_staff
from tests.notices.builders import publish_notice
from tests.training.builders import publish_course

pytestmark = pytest.mark.django_db


def post(client, page, headers=None, **data):
    return client.post(
        reverse("feedback:raise", args=[page.pk]),
        {"kind": "unclear", "text": "7일인지 14일인지 헷갈립니다.", **data},
        headers=headers,
    )


def test_an_agent_raises_feedback_on_a_policy(client, world, pages):
    client.force_login(world.agent_a1.user)
    assert reverse("feedback:raise", args=[pages["refund"].pk]) in (
        client.get(pages["refund"].url).text
    )

    response = post(client, pages["refund"], kind="voc", customer_quote="왜 이렇게 복잡해요?")

    item = FeedbackItem.objects.get()
    assert response.status_code == 303
    assert response["Location"] == reverse("feedback:raised", args=[item.pk])
    assert (item.agent, item.page_id, item.kind) == (world.agent_a1, pages["refund"].pk, "voc")
    assert item.revision_id == pages["refund"].live_revision_id
    assert item.owner == pages["owner"]
    assert item.status == Status.NEW
    assert item.customer_quote == "왜 이렇게 복잡해요?"
    assert "7일인지" in client.get(response["Location"]).text


def test_the_owner_is_the_pages_then_the_sections_then_nobody(world, pages):
    assert responsible_owner(pages["refund"]) == pages["owner"]
    assert responsible_owner(pages["coupon"]) == pages["section_owner"]
    pages["section_owner"].is_active = False
    pages["section_owner"].save()
    # Nobody: the client managers answer.
    assert responsible_owner(pages["coupon"]) is None
    assert responsible_owner(publish_notice(everyone=True)) is None


def test_feedback_on_notices_and_lessons(client, world, pages):
    notice = publish_notice(everyone=True)
    course = publish_course(lessons=2)
    lesson = course.lessons[1].id
    client.force_login(world.agent_a1.user)
    assert reverse("feedback:raise", args=[notice.pk]) in client.get(notice.url).text
    lesson_page = client.get(f"{course.url}lessons/{lesson}/").text
    assert f'name="lesson" value="{lesson}"' in lesson_page

    assert post(client, notice).status_code == 303
    assert post(client, course, lesson=lesson).status_code == 303
    assert post(client, course).status_code == 400  # which lesson?
    assert post(client, course, lesson="nope").status_code == 400
    assert post(client, notice, lesson=lesson).status_code == 400
    assert list(FeedbackItem.objects.values_list("page_id", "lesson_id").order_by("pk")) == [
        (notice.pk, ""),
        (course.pk, lesson),
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"text": "x" * 20_000}, "Ensure this value has at most 4000 characters"),
        ({"text": "   "}, "This field is required."),
        ({"kind": "rant"}, "Select a valid choice"),
        ({"customer_quote": "y" * 1001}, "at most 1000 characters"),
    ],
)
def test_bad_input_is_refused_with_a_message_and_writes_nothing(
    client, world, pages, data, message
):
    client.force_login(world.agent_a1.user)
    response = post(client, pages["refund"], headers={"accept-language": "en"}, **data)
    assert response.status_code == 400
    assert message in response.text
    assert not FeedbackItem.objects.exists()


def test_html_is_shown_as_text(client, world, pages):
    client.force_login(world.agent_a1.user)
    post(client, pages["refund"], text="<script>alert(1)</script><b>굵게</b>")
    page = client.get(reverse("feedback:mine")).text
    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&lt;b&gt;" in page


def test_no_feedback_where_the_agent_cannot_see_or_on_someone_elses_behalf(client, world, pages):
    client.force_login(world.agent_a1.user)
    assert post(client, pages["secret"]).status_code == 404
    assert post(client, pages["payments"]).status_code == 404  # a section takes none
    assert client.post(reverse("feedback:raise", args=[999_999])).status_code == 404
    # The agent is whoever is signed in: a posted agent id is ignored.
    post(client, pages["refund"], agent=world.agent_b1.pk)
    assert FeedbackItem.objects.get().agent == world.agent_a1
    client.force_login(make_client_staff())
    assert post(client, pages["refund"]).status_code == 404
    client.logout()
    assert post(client, pages["refund"]).status_code == 302
    assert FeedbackItem.objects.count() == 1


def test_a_confirmation_is_its_agents_only(client, world, pages):
    client.force_login(world.agent_a1.user)
    post(client, pages["refund"])
    item = FeedbackItem.objects.get()
    client.force_login(world.agent_a2.user)
    assert client.get(reverse("feedback:raised", args=[item.pk])).status_code == 404


def test_the_owner_is_emailed_once_else_the_client_managers(
    client, world, pages, eager_celery, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(world.agent_a1.user)
    with django_capture_on_commit_callbacks(execute=True):
        post(client, pages["refund"], text="환불 기간 <b>확인</b> 부탁드립니다.")
    [mail] = mailoutbox
    assert mail.to == [pages["owner"].email]
    assert "단순 변심 환불" in mail.subject
    assert "&lt;b&gt;확인&lt;/b&gt;" in mail.alternatives[0][0]
    item = FeedbackItem.objects.get()
    assert tell_owner(item.pk) == 0  # told already

    notice = publish_notice(everyone=True)
    with django_capture_on_commit_callbacks(execute=True):
        post(client, notice)
    managers = {world.client_manager.email, pages["owner"].email, pages["section_owner"].email}
    assert (
        {m.to[0] for m in mailoutbox[1:]}
        == managers
        == set(client_managers().values_list("email", flat=True))
    )
