"""Every request a search sends, as ``to_dict()`` gives it; and the reader's filter held
to the database's rule (``visible_pages``, ``portal.visibility``) on a matrix of readers
and pages, by evaluating it (``fake.matches``) against the documents that would be
indexed."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone
from wagtail.models import Page

from knowledge.elastic.documents import document_of
from knowledge.elastic.indexes import searchable_pages
from knowledge.elastic.query import reader_filter, search_request
from knowledge.kinds import KNOWLEDGE_KINDS, SEARCHED_KINDS
from knowledge.models import KnowledgeAudience, VisionPage
from knowledge.search import _readable_notices_and_courses
from knowledge.visibility import visible_pages
from portal.organisation.models import AgentProfile
from tests.knowledge.builders import article, home_page, policy, publish, section
from tests.notices.builders import publish_notice
from tests.training.builders import publish_course

from .fake import matches

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 27, 9, 30, tzinfo=ZoneInfo("Asia/Seoul"))
FIELDS = [
    "title^3", "title.english^3", "summary^1.5", "summary.english^1.5",
    "body^1", "body.english^1", "scripts^1.2", "scripts.english^1.2",
]  # fmt: skip
SHOWN = {
    "bool": {
        "should": [
            {"bool": {"must_not": [{"exists": {"field": "shown_until"}}]}},
            {"range": {"shown_until": {"gt": "2026-11-27T09:30:00+09:00"}}},
        ],
        "minimum_should_match": 1,
    }
}
AGGS = {
    "kinds": {"terms": {"field": "kind", "size": 6}},
    "tags": {"terms": {"field": "tags", "size": 20}},
    "products": {"terms": {"field": "products", "size": 20}},
    "channels": {"terms": {"field": "channels", "size": 10}},
}
HIGHLIGHT = {
    "fields": {
        "summary": {}, "body": {}, "scripts": {},
        "summary.english": {}, "body.english": {}, "scripts.english": {},
    },
    "encoder": "html",
    "pre_tags": ["<mark>"],
    "post_tags": ["</mark>"],
    "fragment_size": 160,
    "number_of_fragments": 1,
}  # fmt: skip


def knowledge_only(denied=()):
    clause = {
        "filter": [{"terms": {"kind": KNOWLEDGE_KINDS}}, {"exists": {"field": "ancestor_ids"}}]
    }
    must_not = {"must_not": [{"terms": {"ancestor_ids": sorted(denied)}}]} if denied else {}
    return {"bool": clause | must_not}


def test_a_plain_query_for_client_staff(world):
    request = search_request("portal", world.client_manager, "환불은", readable=set(), now=NOW)
    assert request.to_dict() == {
        "query": {
            "bool": {
                "must": [
                    {
                        "multi_match": {
                            "query": "환불은",
                            "fields": FIELDS,
                            "type": "best_fields",
                            "tie_breaker": 0.3,
                        }
                    }
                ],
                "filter": [
                    {"terms": {"kind": SEARCHED_KINDS}},
                    {"bool": {"filter": [knowledge_only(), SHOWN]}},
                ],
            }
        },
        "aggs": AGGS,
        "sort": ["_score", {"page_id": "asc"}],
        "highlight": HIGHLIGHT,
        "from": 0,
        "size": 10,
        "track_total_hits": True,
        "_source": ["page_id", "kind"],
    }


def test_an_agent_is_kept_out_of_other_audiences_and_reads_their_notices_by_id(world):
    payments = section("결제·환불")
    only_b = section("온누리 전용", audience=[(world.vendor_b, None)])
    only_a2 = section("서울 2팀 전용", parent=payments, audience=[(world.vendor_a, world.team_a2)])
    request = search_request(
        "portal", world.agent_a1.user, "환불", readable={42, 7}, now=NOW, page=3, per_page=5
    )
    body = request.to_dict()
    denied = [only_b.pk, only_a2.pk]
    assert body["query"]["bool"]["filter"][1] == {
        "bool": {
            "filter": [
                {
                    "bool": {
                        "should": [knowledge_only(denied), {"terms": {"page_id": [7, 42]}}],
                        "minimum_should_match": 1,
                    }
                },
                SHOWN,
            ]
        }
    }
    assert (body["from"], body["size"]) == (10, 5)
    # Agent b1 is outside a1's team's section only.
    other = search_request("portal", world.agent_b1.user, "환불", readable=set(), now=NOW)
    assert other.to_dict()["query"]["bool"]["filter"][1]["bool"]["filter"][0] == knowledge_only(
        [only_a2.pk]
    )


def test_a_chosen_kind_narrows_the_hits_not_the_counts(world):
    body = search_request(
        "portal", world.client_manager, "환불", readable=set(), now=NOW, kind="policy"
    ).to_dict()
    assert body["post_filter"] == {"term": {"kind": "policy"}}
    assert body["query"]["bool"]["filter"][0] == {"terms": {"kind": SEARCHED_KINDS}}
    assert body["aggs"] == AGGS
    sections = search_request(
        "portal", world.client_manager, "결제", readable=set(), now=NOW, kind="section"
    ).to_dict()
    assert sections["query"]["bool"]["filter"][0] == {
        "terms": {"kind": [*SEARCHED_KINDS, "section"]}
    }


def test_a_tag_alone_lists_its_pages_newest_first(world):
    body = search_request(
        "portal", world.client_manager, "", readable=set(), now=NOW, tag="배송"
    ).to_dict()
    assert body["query"] == {
        "bool": {
            "filter": [
                {"terms": {"kind": SEARCHED_KINDS}},
                {"bool": {"filter": [knowledge_only(), SHOWN]}},
                {"term": {"tags": "배송"}},
            ]
        }
    }
    assert body["sort"] == [{"last_published_at": "desc"}, {"page_id": "asc"}]
    assert "highlight" not in body


def test_nobody_signed_in_finds_nothing():
    body = search_request("portal", AnonymousUser(), "환불", readable=set(), now=NOW).to_dict()
    assert body["query"]["bool"]["filter"][1] == {"match_none": {}}


@pytest.fixture
def site(world):
    """Pages each reader sees differently: audiences on sections (nested too), ended
    policies and notices, expired pages, notices and courses for some."""
    today = timezone.localdate()
    payments = section("결제·환불")
    only_a = section("한결 전용", audience=[(world.vendor_a, None)])
    only_b = section("온누리 전용", audience=[(world.vendor_b, None)])
    only_a1 = section("서울 1팀 전용", parent=only_a, audience=[(world.vendor_a, world.team_a1)])
    pages = {
        "open": article(payments, "배송 지연 안내", "지연 보상"),
        "for a": article(only_a, "한결 환불 특례", "특례"),
        "for b": article(only_b, "온누리 환불 특례", "특례"),
        "for a1": policy(only_a1, "1팀 보상 기준", "1팀만"),
        "ended": policy(payments, "지난 정책", "끝남", effective_until=today - timedelta(days=1)),
        "last day": policy(payments, "오늘까지", "오늘 끝남", effective_until=today),
        "expired": article(payments, "만료된 글", "만료"),
        "vision": publish(home_page(), VisionPage(title="비전", summary="고객 먼저")),
        "notice": publish_notice("전체 공지", everyone=True),
        "notice b": publish_notice("온누리 공지", vendors=[world.vendor_b]),
        "notice ended": publish_notice(
            "끝난 공지", everyone=True, effective_until=timezone.now() - timedelta(hours=1)
        ),
        "course": publish_course("전체 교육"),
        "course a2": publish_course("2팀 교육", everyone=False, teams=[world.team_a2]),
    }
    Page.objects.filter(pk=pages["expired"].pk).update(
        expire_at=timezone.now() - timedelta(minutes=5)
    )
    return pages


def readers(world):
    left = AgentProfile.objects.get(pk=world.agent_a2.pk)
    left.status = AgentProfile.Status.LEFT
    left.save()
    return {
        "agent a1": world.agent_a1.user,
        "agent b1": world.agent_b1.user,
        "lead a1": world.lead_a1.user,
        "manager a": world.manager_a.user,
        "manager b": world.manager_b.user,
        "client": world.client_manager,
        "left a2": world.agent_a2.user,
        "nobody": AnonymousUser(),
    }


def by_database(user) -> set[int]:
    """What the portal's own search lets ``user`` open (``knowledge.search._allowed``)."""
    knowledge = visible_pages(user, Page.objects.all()).values_list("pk", flat=True)
    searched = set(Page.objects.type(*_knowledge_models()).values_list("pk", flat=True))
    return (set(knowledge) & searched) | _readable_notices_and_courses(user)


def _knowledge_models():
    from knowledge.kinds import KINDS

    return [KINDS[kind] for kind in KNOWLEDGE_KINDS]


def by_filter(user, documents) -> set[int]:
    readable = _readable_notices_and_courses(user) if user.is_authenticated else set()
    clause = reader_filter(user, readable, timezone.now()).to_dict()
    return {doc["page_id"] for doc in documents if matches(clause, doc)}


def test_the_filter_lets_each_reader_open_what_the_database_does(world, site):
    documents = [document_of(page).to_dict() for page in searchable_pages()]
    titles = dict(Page.objects.values_list("pk", "title"))
    for name, user in readers(world).items():
        assert {titles[pk] for pk in by_filter(user, documents)} == {
            titles[pk] for pk in by_database(user)
        }, name
    # The matrix is not trivial: readers differ.
    seen = {name: frozenset(by_database(user)) for name, user in readers(world).items()}
    assert len(set(seen.values())) >= 5
    assert site["for a1"].pk in seen["agent a1"] and site["for a1"].pk not in seen["manager b"]
    assert site["last day"].pk in seen["agent a1"] and site["ended"].pk not in seen["agent a1"]


def test_an_audience_change_takes_effect_without_reindexing(world, site):
    documents = [document_of(page).to_dict() for page in searchable_pages()]
    agent = world.agent_a1.user
    assert site["open"].pk in by_filter(agent, documents)
    KnowledgeAudience.objects.create(page=site["open"].get_parent(), vendor=world.vendor_b)
    # The same documents: the audience is read when searching.
    assert site["open"].pk not in by_filter(agent, documents)
    assert by_filter(agent, documents) == by_database(agent)


def test_the_policy_end_is_seoul_midnight(world):
    payments = section("결제·환불")
    page = policy(payments, "정책", "상황", effective_until=date(2026, 11, 27))
    doc = document_of(page).to_dict()
    assert matches(SHOWN, doc)  # 09:30 on its last day
    late = {"range": {"shown_until": {"gt": "2026-11-28T00:00:00+09:00"}}}
    assert not matches(late, doc)
