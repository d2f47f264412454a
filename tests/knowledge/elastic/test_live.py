"""The search's expectations against a real Elasticsearch with nori: what the analysers
do to Korean as Koreans write it, visibility across vendors, notices out of effect,
facets, highlighting, a page kept in step, and ``evaluate_search``, unchanged.

Skipped unless ``ELASTICSEARCH_URL`` is set. Run them alone (the rest of the suite
expects the portal's own index)::

    docker compose -f docker-compose.yml -f docker-compose.override.example.yml up -d elasticsearch
    ELASTICSEARCH_URL=http://127.0.0.1:9200 .venv/bin/pytest -m elasticsearch

Each test indexes its own small world under an alias of its own, and deletes it after.
A search that Elasticsearch did not answer (the portal's own index standing in) fails
the test.
"""

import json
import logging
import os
import uuid
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from knowledge.elastic import indexes
from knowledge.search import ELASTICSEARCH_DOWN_KEY, search_knowledge
from notices.models import ChangeNoticePage
from tests.knowledge.builders import article, section
from tests.knowledge.test_search import QUESTIONS_AND_PAGES, delay_course, refund_notice
from tests.training.builders import publish_course

pytestmark = [
    pytest.mark.elasticsearch,
    pytest.mark.skipif(
        not os.environ.get("ELASTICSEARCH_URL"),
        reason=(
            "needs ELASTICSEARCH_URL (README: 'Search at scale: Elasticsearch' starts one; "
            "then ELASTICSEARCH_URL=http://127.0.0.1:9200 .venv/bin/pytest -m elasticsearch)"
        ),
    ),
    pytest.mark.django_db,
]


@pytest.fixture(autouse=True)
def live_index(settings, caplog):
    """An alias of this test's own on the real server; removed afterwards. Fails the
    test if any search fell back to the portal's own index."""
    settings.ELASTICSEARCH_URL = os.environ["ELASTICSEARCH_URL"]
    cache.delete(ELASTICSEARCH_DOWN_KEY)
    settings.ELASTICSEARCH_INDEX = f"portal-test-{uuid.uuid4().hex[:10]}"
    es = indexes.client()
    with caplog.at_level(logging.WARNING, logger="knowledge.search"):
        yield es
    # By name: a server refuses to delete by wildcard (action.destructive_requires_name).
    for name in es.indices.get(index=f"{settings.ELASTICSEARCH_INDEX}-*").body:
        es.indices.delete(index=name)
    assert "Elasticsearch did not answer" not in caplog.text


def reindexed():
    indexes.reindex()


def titles(user, query, **kwargs):
    return [hit.page.title for hit in search_knowledge(user, query, **kwargs).hits]


def hits(user, query, **kwargs):
    return {hit.page.title: hit for hit in search_knowledge(user, query, **kwargs).hits}


@pytest.mark.parametrize(
    ("query", "title"),
    QUESTIONS_AND_PAGES,
)
def test_korean_and_english_queries_find_the_right_page(world, knowledge, query, title):
    reindexed()
    assert title in titles(world.agent_a1.user, query)[:2]


def test_filters_by_kind_and_tag(world, knowledge):
    reindexed()
    agent = world.agent_a1.user
    assert titles(agent, "환불", kind="policy") == ["단순 변심 환불"]
    assert "단순 변심 환불" not in titles(agent, "환불", kind="article")
    assert titles(agent, "", tag="배송") == ["배송 지연 안내"]


def test_search_respects_audiences(world, knowledge):
    only_b = section("온누리 전용", audience=[(world.vendor_b, None)])
    article(only_b, "온누리 환불 특례", "온누리 상담사만 보는 환불 특례")
    reindexed()
    assert "온누리 환불 특례" not in titles(world.agent_a1.user, "환불 특례")
    assert "온누리 환불 특례" in titles(world.agent_b1.user, "환불 특례")
    assert search_knowledge(world.agent_a1.user, "특례").total == 0


def test_snippets_mark_the_matches(world, knowledge):
    reindexed()
    hit = search_knowledge(world.agent_a1.user, "지연 보상").hits[0]
    assert "<mark>지연</mark>" in hit.snippet


def test_pagination_lists_every_match_once(world, knowledge):
    for n in range(12):
        article(knowledge["payments"], f"환불 사례 {n}", "환불 사례 모음")
    reindexed()
    agent = world.agent_a1.user
    first = search_knowledge(agent, "환불 사례", kind="article", per_page=5)
    assert (first.total, first.complete, first.num_pages, len(first.hits)) == (12, True, 3, 5)
    listed = [hit.page.pk for n in (1, 2, 3) for hit in search_knowledge(
        agent, "환불 사례", kind="article", per_page=5, page=n
    ).hits]  # fmt: skip
    assert len(set(listed)) == 12


def test_notices_and_courses_are_found_whatever_the_particles(world, knowledge):
    notice = refund_notice(everyone=True)
    course = delay_course()
    reindexed()
    agent = world.agent_a1.user
    found_notice = hits(agent, "환불 접수 기간은요?")[notice.title]
    assert found_notice.kind == "notice"
    assert "<mark>접수</mark>" in found_notice.snippet
    found_course = hits(agent, "적립금은 얼마나 드려요")[course.title]
    assert found_course.url == f"{course.url}lessons/{course.lessons[1].id}/"


def test_another_vendors_notices_and_courses_are_never_found(client, world, knowledge):
    notice_b = refund_notice(title="온누리 환불 특례 공지", vendors=[world.vendor_b])
    course_b = publish_course("온누리 환불 특례 교육", everyone=False, vendors=[world.vendor_b])
    reindexed()
    for user in (world.agent_a1.user, world.lead_a1.user, world.manager_a.user):
        results = search_knowledge(user, "온누리 환불 특례")
        assert not {notice_b.title, course_b.title} & {hit.page.title for hit in results.hits}
        assert {facet.kind for facet in results.facets} <= {"policy", "article", "vision"}
    for user in (world.agent_b1.user, world.manager_b.user, world.client_manager):
        assert {notice_b.title, course_b.title} <= set(hits(user, "온누리 환불 특례"))
    client.force_login(world.agent_a1.user)
    data = client.get(reverse("knowledge:search_json"), {"q": "온누리 특례"}).json()
    assert (data["total"], data["facets"]) == (0, {})


def test_notices_no_longer_in_effect_and_drafts_are_not_found(world, knowledge):
    now = timezone.now()
    current = refund_notice(title="지금의 환불 공지", everyone=True)
    ending = refund_notice(title="곧 끝나는 환불 프로모션", everyone=True)
    withdrawn = refund_notice(title="내려간 환불 공지", everyone=True)
    unpublished = refund_notice(title="게시 취소된 환불 공지", everyone=True)
    reindexed()
    # After indexing: the dates are filtered when searching, not when indexing.
    ChangeNoticePage.objects.filter(pk=ending.pk).update(effective_until=now - timedelta(minutes=1))
    ChangeNoticePage.objects.filter(pk=withdrawn.pk).update(expire_at=now - timedelta(minutes=1))
    unpublished.unpublish()
    indexes.sync_pages([unpublished.pk])
    indexes.client().indices.refresh(index=indexes.alias())
    for user in (world.agent_a1.user, world.client_manager):
        found = hits(user, "환불 공지 프로모션")
        assert current.title in found
        assert not {ending.title, withdrawn.title, unpublished.title} & set(found)


def test_the_facets_count_each_kind_and_tag_for_the_query(world, knowledge):
    refund_notice(everyone=True)
    publish_course("환불 정책 교육")
    reindexed()
    agent = world.agent_a1.user
    everything = search_knowledge(agent, "환불")
    counts = {facet.kind: facet.count for facet in everything.facets}
    assert counts["notice"] == 1 and counts["course"] == 1 and counts["policy"] >= 1
    notices = search_knowledge(agent, "환불", kind="notice")
    assert [hit.kind for hit in notices.hits] == ["notice"]
    assert {facet.kind: facet.count for facet in notices.facets} == counts
    tags = {group.name: group.values for group in everything.facet_groups}["tags"]
    assert ("환불", 1) in {(value.value, value.count) for value in tags}


def test_publishing_reaches_the_index(world, knowledge, on_commit):
    reindexed()
    with on_commit():
        article(knowledge["payments"], "포인트 환불 절차", "포인트는 즉시 복구됩니다")
    indexes.client().indices.refresh(index=indexes.alias())
    assert titles(world.agent_a1.user, "포인트 복구")[0] == "포인트 환불 절차"


def test_evaluate_search_runs_unchanged(tmp_path, capsys, knowledge):
    for key in ("refund", "delay", "coupon", "english"):
        page = knowledge[key]
        page.external_id = key.upper()
        page.save_revision().publish()
    reindexed()
    questions = [
        {"query": "환불은 어떻게 해요", "expected": ["REFUND"]},
        {"query": "배송이 지연돼요", "expected": ["DELAY"]},
        {"query": "쿠폰 적용이 안돼요", "expected": ["COUPON"]},
        {"query": "존재하지 않는 질문", "expected": ["NOTHING"]},
    ]
    path = tmp_path / "questions.jsonl"
    path.write_text("\n".join(json.dumps(q, ensure_ascii=False) for q in questions) + "\n")
    call_command("evaluate_search", str(path), json=True)
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert (result["queries"], result["recall_at_5"]) == (4, 0.75)
