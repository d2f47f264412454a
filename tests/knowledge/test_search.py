"""Korean-aware search: particles, endings and spacing; English stemming; restrictions."""

import pytest
from django.urls import reverse

from knowledge.korean import terms
from knowledge.search import search_knowledge
from tests.knowledge.conftest import article, section

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("환불은 어떻게 하나요", ["환불"]),
        ("환불해 드립니다", ["환불"]),
        ("배송지연보상", ["배송", "지연", "보상"]),
        ("배송 지연 보상", ["배송", "지연", "보상"]),
        ("Refunds for VIP customers", ["refund", "vip", "custom"]),
    ],
)
def test_the_analyser_keeps_content_morphemes(text, expected):
    assert terms(text) == expected


def found(user, query, **kwargs):
    return [hit.page.title for hit in search_knowledge(user, query, **kwargs).hits]


@pytest.mark.parametrize(
    ("query", "title"),
    [
        ("환불", "단순 변심 환불"),
        ("환불은 어떻게 해요?", "단순 변심 환불"),
        ("환불해 드려도 되나요", "단순 변심 환불"),
        ("배송지연", "배송 지연 안내"),
        ("배송이 늦어요 지연", "배송 지연 안내"),
        ("쿠폰이 안 돼요", "쿠폰 적용 오류"),
        ("refunds overseas", "Refund policy for overseas customers"),
        ("customer refund", "Refund policy for overseas customers"),
    ],
)
def test_korean_and_english_queries_find_the_right_page(world, knowledge, query, title):
    assert title in found(world.agent_a1.user, query)[:2]


def test_filters_by_kind_and_tag(world, knowledge):
    agent = world.agent_a1.user
    assert found(agent, "환불", kind="policy") == ["단순 변심 환불"]
    assert "단순 변심 환불" not in found(agent, "환불", kind="article")
    assert found(agent, "", tag="배송") == ["배송 지연 안내"]


def test_search_respects_audiences(world, knowledge):
    only_b = section("온누리 전용", audience=[(world.vendor_b, None)])
    article(only_b, "온누리 환불 특례", "온누리 상담사만 보는 환불 특례")
    assert "온누리 환불 특례" not in found(world.agent_a1.user, "환불 특례")
    assert "온누리 환불 특례" in found(world.agent_b1.user, "환불 특례")
    results = search_knowledge(world.agent_a1.user, "특례")
    assert results.total == 0


def test_snippets_mark_the_matches(world, knowledge):
    hit = search_knowledge(world.agent_a1.user, "지연 보상").hits[0]
    assert "<mark>지연</mark>" in hit.snippet


def test_pagination(world, knowledge):
    payments = knowledge["payments"]
    for n in range(12):
        article(payments, f"환불 사례 {n}", "환불 사례 모음")
    first = search_knowledge(world.agent_a1.user, "환불 사례", kind="article", per_page=5)
    assert (first.total, first.num_pages, len(first.hits)) == (12, 3, 5)
    last = search_knowledge(world.agent_a1.user, "환불 사례", kind="article", per_page=5, page=3)
    assert len(last.hits) == 2


def test_the_search_page_and_json(client, world, knowledge):
    client.force_login(world.agent_a1.user)
    page = client.get(reverse("knowledge:search"), {"q": "환불은"})
    assert page.status_code == 200
    assert "단순 변심 환불" in page.text
    data = client.get(reverse("knowledge:search_json"), {"q": "환불은", "kind": "policy"}).json()
    assert data["total"] == 1
    assert data["results"][0]["title"] == "단순 변심 환불"
    assert data["results"][0]["kind"] == "policy"


def test_search_needs_a_login(client, knowledge):
    assert client.get(reverse("knowledge:search_json"), {"q": "환불"}).status_code == 302


def test_the_search_page_uses_a_fixed_number_of_queries(
    client, world, knowledge, django_assert_max_num_queries
):
    client.force_login(world.agent_a1.user)
    url = reverse("knowledge:search")
    client.get(url, {"q": "환불"})
    with django_assert_max_num_queries(25):
        client.get(url, {"q": "환불"})


def test_the_tag_list_names_only_tags_of_pages_the_reader_may_open(client, world, knowledge):
    only_b = section("온누리 전용", audience=[(world.vendor_b, None)])
    article(only_b, "온누리 프로모션", "온누리 전용", tags=["온누리-12월-프로모션"])
    draft = article(knowledge["payments"], "초안", "초안", tags=["미공개-신상품"])
    draft.unpublish()
    client.force_login(world.agent_a1.user)
    text = client.get("/knowledge/search/").text
    assert "환불" in text
    assert "온누리-12월-프로모션" not in text
    assert "미공개-신상품" not in text
    client.force_login(world.agent_b1.user)
    assert "온누리-12월-프로모션" in client.get("/knowledge/search/").text
