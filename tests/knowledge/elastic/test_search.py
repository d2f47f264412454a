"""``search_knowledge`` answered by Elasticsearch: the request it sends, and the hits,
counts, facets and passages read back into the same results the page and the JSON show;
the portal's own index answers when Elasticsearch cannot."""

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

from knowledge.search import FacetValue, search_knowledge
from knowledge.tasks import sync_search_documents
from tests.knowledge.builders import article, section

pytestmark = pytest.mark.django_db


def buckets(**counts):
    return {"buckets": [{"key": key, "doc_count": n} for key, n in counts.items()]}


def answer(hits, total=None, kinds=None, tags=None, channels=None):
    return {
        "hits": {
            "total": {"value": len(hits) if total is None else total, "relation": "eq"},
            "hits": [
                {"_id": str(page.pk), "_source": {"page_id": page.pk, "kind": kind}, **extra}
                for page, kind, extra in hits
            ],
        },
        "aggregations": {
            "kinds": buckets(**(kinds or {})),
            "tags": {"buckets": [{"key": k, "doc_count": n} for k, n in (tags or {}).items()]},
            "products": buckets(),
            "channels": buckets(**(channels or {})),
        },
    }


def test_hits_counts_facets_and_passages_come_from_elasticsearch(fake_es, world, knowledge):
    refund, delay = knowledge["refund"], knowledge["delay"]
    passage = "고객님, <mark>환불</mark>해 드리겠습니다. &lt;b&gt;"
    fake_es.search_response = answer(
        [
            (refund, "policy", {"highlight": {"scripts": [passage]}}),
            # No passage from the engine: the portal marks its own.
            (delay, "article", {}),
        ],
        kinds={"policy": 1, "article": 1},
        tags={"환불": 1},
        channels={"phone": 1},
    )
    results = search_knowledge(world.agent_a1.user, "환불은")

    ((method, path, body),) = fake_es.requests
    assert (method, path) == ("POST", "/portal/_search")
    assert body["query"]["bool"]["must"][0]["multi_match"]["query"] == "환불은"
    assert [hit.page.pk for hit in results.hits] == [refund.pk, delay.pk]
    assert results.hits[0].snippet == passage
    assert results.hits[0].url == refund.url
    assert "<mark>" not in results.hits[1].snippet  # 환불 is not in the article
    assert [(f.kind, f.count, f.complete) for f in results.facets] == [
        ("policy", 1, True),
        ("article", 1, True),
    ]
    assert (results.total, results.complete, results.num_pages) == (2, True, 1)
    groups = {group.name: group.values for group in results.facet_groups}
    assert groups == {
        "tags": [FacetValue("환불", "환불", 1)],
        "channels": [FacetValue("phone", "전화", 1)],
    }


def test_a_page_past_the_last_shows_the_last(fake_es, world, knowledge):
    fake_es.search_response = answer([], total=12, kinds={"article": 12})
    results = search_knowledge(world.agent_a1.user, "환불", page=9, per_page=5)
    assert [body["from"] for body in fake_es.bodies("POST", "/portal/_search")] == [40, 10]
    assert (results.page_number, results.num_pages, results.total) == (3, 3, 12)


def test_nothing_to_search_asks_nothing(fake_es, world):
    assert search_knowledge(world.agent_a1.user, "  ").hits == []
    assert fake_es.requests == []


def test_when_elasticsearch_is_down_the_portals_own_index_answers(
    fake_es, world, knowledge, caplog
):
    fake_es.down = True
    with caplog.at_level(logging.WARNING, logger="knowledge.search"):
        results = search_knowledge(world.agent_a1.user, "환불은")
    assert results.hits[0].page.title == "단순 변심 환불"
    assert "Elasticsearch did not answer" in caplog.text


def test_after_a_failure_searches_do_not_wait_for_elasticsearch(fake_es, world, knowledge):
    fake_es.down = True
    search_knowledge(world.agent_a1.user, "환불")
    fake_es.down, asked = False, len(fake_es.requests)
    results = search_knowledge(world.agent_a1.user, "환불은")
    assert len(fake_es.requests) == asked
    assert results.hits[0].page.title == "단순 변심 환불"


def test_only_the_best_hundred_can_be_paged_through(fake_es, world, knowledge):
    fake_es.search_response = answer([], total=500, kinds={"article": 500})
    results = search_knowledge(world.agent_a1.user, "환불", page=50)
    assert [body["from"] for body in fake_es.bodies("POST", "/portal/_search")] == [90]
    assert (results.page_number, results.num_pages, results.total) == (10, 10, 500)


def test_a_hit_the_reader_may_not_open_is_dropped_and_re_synced(
    fake_es, world, knowledge, caplog, on_commit, monkeypatch
):
    """A document out of step (a lost task) must not show another vendor's page: the
    database has the last word on every hit."""
    only_b = section("온누리 전용", audience=[(world.vendor_b, None)])
    special = article(only_b, "온누리 환불 특례", "온누리 상담사만 보는 환불 특례")
    refund = knowledge["refund"]
    fake_es.search_response = answer([(special, "article", {}), (refund, "policy", {})])
    queued = []
    monkeypatch.setattr(
        sync_search_documents, "apply_async", lambda args, **kw: queued.append(args)
    )
    with (
        caplog.at_level(logging.WARNING, logger="knowledge.search"),
        on_commit(),
    ):
        results = search_knowledge(world.agent_a1.user, "환불 특례")
    assert [hit.page.pk for hit in results.hits] == [refund.pk]
    assert f"Elasticsearch returned pages [{special.pk}]" in caplog.text
    assert queued == [([special.pk],)]
    # Its own vendor's agent sees it.
    found = search_knowledge(world.agent_b1.user, "환불 특례")
    assert [hit.page.pk for hit in found.hits] == [special.pk, refund.pk]


def test_the_search_page_shows_the_facets(client, fake_es, world, knowledge):
    refund = knowledge["refund"]
    fake_es.search_response = answer(
        [(refund, "policy", {"highlight": {"body": ["<mark>환불</mark> 요청"]}})],
        kinds={"policy": 1},
        tags={"환불": 1},
        channels={"phone": 1},
    )
    client.force_login(world.agent_a1.user)
    page = client.get(reverse("knowledge:search"), {"q": "환불"})
    assert page.status_code == 200
    assert '<p class="snippet"><mark>환불</mark> 요청</p>' in page.text
    assert 'data-testid="facet-groups"' in page.text
    assert "?q=%ED%99%98%EB%B6%88&amp;tag=%ED%99%98%EB%B6%88" in page.text
    assert "전화" in page.text
    data = client.get(reverse("knowledge:search_json"), {"q": "환불"}).json()
    assert data["results"][0]["snippet"] == "<mark>환불</mark> 요청"
    assert data["facets"] == {"policy": 1}


def test_no_process_imports_the_client_unless_it_asks_elasticsearch():
    """Every web, worker and beat process loads search, its tasks and signal handlers;
    the client (a slow import) is loaded by the first search or sync that needs it."""
    code = (
        "import sys, django; django.setup(); "
        "import knowledge.search, knowledge.tasks, knowledge.signal_handlers; "
        "print(sorted(m for m in sys.modules if m.startswith('elasticsearch')))"
    )
    env = os.environ | {"DJANGO_SETTINGS_MODULE": "portal.settings.test"}
    root = Path(__file__).resolve().parents[3]
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=root, env=env, capture_output=True, text=True
    )
    assert (done.returncode, done.stdout.strip()) == (0, "[]"), done.stderr
