"""Restricted, draft, expired and other-vendor content never reaches an agent."""

from datetime import timedelta

import pytest
from django.utils import timezone

from knowledge.visibility import can_view, visible_pages
from tests.knowledge.builders import article, policy, section

pytestmark = pytest.mark.django_db


def titles(user):
    return set(visible_pages(user).type(*_knowledge_types()).values_list("title", flat=True))


def _knowledge_types():
    from knowledge.search import KINDS

    return KINDS.values()


def test_audiences(client, world, knowledge):
    only_a = section("한결 전용", audience=[(world.vendor_a, None)])
    article(only_a, "한결 전용 안내", "한결CS 상담사만 보는 안내")
    only_b1 = section("부산 전화팀 전용", audience=[(None, world.team_b1)])
    article(only_b1, "부산 안내", "부산 전화팀만")

    assert "한결 전용 안내" in titles(world.agent_a1.user)
    assert "부산 안내" not in titles(world.agent_a1.user)
    assert "부산 안내" in titles(world.agent_b1.user)
    assert "한결 전용 안내" not in titles(world.agent_b1.user)
    assert "부산 안내" not in titles(world.manager_a.user)
    assert {"한결 전용 안내", "부산 안내"} <= titles(world.client_manager)

    hidden = only_b1.get_children().first()
    client.force_login(world.agent_a1.user)
    assert client.get(hidden.url).status_code == 404
    client.force_login(world.agent_b1.user)
    assert client.get(hidden.url).status_code == 200


def test_drafts_are_never_shown(client, world, knowledge):
    draft = knowledge["coupon"]
    draft.unpublish()
    assert "쿠폰 적용 오류" not in titles(world.agent_a1.user)
    client.force_login(world.agent_a1.user)
    assert client.get(f"/{draft.url_path.split('/', 2)[2]}").status_code == 404


def test_expired_content_is_never_shown(client, world, knowledge):
    page = knowledge["delay"]
    page.expire_at = timezone.now() - timedelta(minutes=1)
    page.save()
    assert "배송 지연 안내" not in titles(world.agent_a1.user)
    assert not can_view(world.agent_a1.user, page)

    old = policy(
        knowledge["payments"],
        "지난 프로모션 환불",
        "끝난 프로모션",
        effective_until=timezone.localdate() - timedelta(days=1),
    )
    assert "지난 프로모션 환불" not in titles(world.agent_a1.user)
    client.force_login(world.agent_a1.user)
    assert client.get(old.url).status_code == 404
