"""One visibility check for every link: a page the reader may not open is never named to
them, whether it is linked from a block, from rich text, from a notice or from a course."""

from datetime import timedelta

import pytest
from django.utils import timezone

from portal.visibility import can_see_page, visible_page_ids
from tests.knowledge.builders import article, policy, section
from tests.notices.builders import publish_notice
from tests.training.builders import publish_course

pytestmark = pytest.mark.django_db

SECRET = "온누리 전용 보상 기준"


@pytest.fixture
def secret_policy(world):
    """A policy limited to vendor B, and an article everyone reads."""
    only_b = section("온누리 전용", audience=[(world.vendor_b, None)])
    return policy(only_b, SECRET, "온누리 고객의 보상 요청")


def page_html(client, user, url):
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def test_related_policies_are_only_those_the_reader_may_open(client, world, secret_policy):
    shared = article(
        section("결제·환불"),
        "보상 안내",
        "보상 절차",
        blocks=[("related_policies", {"policies": [secret_policy]})],
    )
    assert SECRET not in page_html(client, world.agent_a1.user, shared.url)
    assert secret_policy.url not in page_html(client, world.manager_a.user, shared.url)
    assert SECRET in page_html(client, world.agent_b1.user, shared.url)
    assert SECRET in page_html(client, world.client_manager, shared.url)


def test_rich_text_links_to_hidden_pages_lose_their_address(client, world, secret_policy):
    shared = article(
        section("결제·환불"),
        "보상 안내",
        f'보상은 <a linktype="page" id="{secret_policy.pk}">이 정책</a>을 따릅니다.',
    )
    html = page_html(client, world.agent_a1.user, shared.url)
    assert "이 정책" in html
    assert secret_policy.url not in html
    assert f'href="{secret_policy.url}"' in page_html(client, world.agent_b1.user, shared.url)


def test_a_notices_affected_pages_are_filtered(client, world, secret_policy):
    notice = publish_notice(everyone=True)
    notice.affected_pages.create(page=secret_policy)
    notice.save_revision().publish()
    assert SECRET not in page_html(client, world.agent_a1.user, notice.url)
    assert SECRET in page_html(client, world.agent_b1.user, notice.url)


def test_a_lessons_policy_links_are_filtered(client, world, secret_policy):
    course = publish_course(lessons=1)
    lessons = course.lessons.raw_data
    lessons[0]["value"]["body"].append(
        {"type": "related_policies", "value": {"policies": [secret_policy.pk]}}
    )
    course.lessons = lessons
    course.save_revision().publish()
    course.refresh_from_db()
    url = course.url + f"lessons/{course.lessons[0].id}/"
    assert SECRET not in page_html(client, world.agent_a1.user, url)
    assert SECRET in page_html(client, world.agent_b1.user, url)


def test_the_rules_of_each_page_type(world, secret_policy):
    open_section = section("주문·배송")
    draft = article(open_section, "초안", "초안")
    draft.unpublish()
    expired = article(open_section, "지난 안내", "지난")
    expired.expire_at = timezone.now() - timedelta(minutes=1)
    expired.save()
    notice_b = publish_notice(vendors=[world.vendor_b])
    course_b = publish_course(everyone=False, vendors=[world.vendor_b])
    ids = [open_section.pk, draft.pk, expired.pk, secret_policy.pk, notice_b.pk, course_b.pk]

    assert visible_page_ids(world.agent_a1.user, ids) == {open_section.pk}
    assert visible_page_ids(world.agent_b1.user, ids) == {
        open_section.pk,
        secret_policy.pk,
        notice_b.pk,
        course_b.pk,
    }
    # Vendor B's manager is in B's audiences too.
    assert visible_page_ids(world.manager_b.user, ids) == visible_page_ids(world.agent_b1.user, ids)
    assert visible_page_ids(world.client_manager, ids) == {
        open_section.pk,
        secret_policy.pk,
        notice_b.pk,
        course_b.pk,
    }
    from django.contrib.auth.models import AnonymousUser

    assert visible_page_ids(AnonymousUser(), ids) == set()
    assert not can_see_page(world.agent_a1.user, secret_policy)
    left = world.agent_b1
    left.user.is_active = False
    left.user.save()
    assert visible_page_ids(left.user, ids) == set()
