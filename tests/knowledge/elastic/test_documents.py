"""What a page is indexed as, and the index's analysis, exactly as they are sent."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from knowledge.elastic.documents import document_of, shown_until
from knowledge.elastic.indexes import index_body
from knowledge.models import Product
from portal.organisation.models import Channel, ensure_channels
from tests.knowledge.builders import article, home_page, policy, publish, section
from tests.notices.builders import publish_notice
from tests.training.builders import publish_course

pytestmark = pytest.mark.django_db

# Particles and endings go; general adverbs (MAG) stay.
STOP_TAGS = [
    "E", "IC", "J", "MAJ", "MM", "SP", "SSC", "SSO", "SC", "SE",
    "XPN", "XSA", "XSN", "XSV", "UNA", "NA", "VSV", "VCP", "VX",
]  # fmt: skip
KOREAN_AND_ENGLISH = {
    "type": "text",
    "analyzer": "korean",
    "fields": {"english": {"type": "text", "analyzer": "english"}},
}


def test_every_index_is_created_with_nori_and_english_analysis():
    assert index_body() == {
        "settings": {
            "number_of_shards": 1,
            "number_of_replicas": 0,
            "analysis": {
                "analyzer": {
                    "korean": {
                        "type": "custom",
                        "tokenizer": "korean_nori",
                        "filter": ["korean_part_of_speech", "nori_readingform", "lowercase"],
                    }
                },
                "tokenizer": {
                    "korean_nori": {
                        "type": "nori_tokenizer",
                        "decompound_mode": "mixed",
                        "discard_punctuation": True,
                    }
                },
                "filter": {
                    "korean_part_of_speech": {
                        "type": "nori_part_of_speech",
                        "stoptags": STOP_TAGS,
                    }
                },
            },
        },
        "mappings": {
            "properties": {
                "page_id": {"type": "integer"},
                "kind": {"type": "keyword"},
                "content_type": {"type": "keyword"},
                "ancestor_ids": {"type": "keyword"},
                "title": KOREAN_AND_ENGLISH,
                "summary": KOREAN_AND_ENGLISH,
                "body": KOREAN_AND_ENGLISH,
                "scripts": KOREAN_AND_ENGLISH,
                "tags": {"type": "keyword"},
                "products": {"type": "keyword"},
                "channels": {"type": "keyword"},
                "shown_until": {"type": "date"},
                "last_published_at": {"type": "date"},
            }
        },
    }


def test_a_policy_document_has_its_text_by_field_taxonomy_and_end(world):
    ensure_channels()
    payments = section("결제·환불")
    membership = Product.objects.create(name="멤버십", code="membership")
    page = policy(
        payments,
        "단순 변심 환불",
        "고객이 단순 변심으로 환불을 요청하는 경우",
        script="고객님, 환불해 드리겠습니다.",
        effective_until=date(2031, 3, 31),
        tags=["환불", "변심"],
    )
    page.products.add(membership)
    page.channels.add(Channel.objects.get(code="phone"), Channel.objects.get(code="chat"))
    page.save()

    assert document_of(page).to_dict() == {
        "page_id": page.pk,
        "kind": "policy",
        "content_type": "knowledge.answerpolicypage",
        # The root, the home page, the section and the page itself.
        "ancestor_ids": [1, home_page().pk, payments.pk, page.pk],
        "title": "단순 변심 환불",
        "summary": "",
        "body": page._rules_text(),
        "scripts": "고객님, 환불해 드리겠습니다.",
        "tags": ["변심", "환불"],
        "products": ["membership"],
        "channels": ["chat", "phone"],
        # Shown through its last day in Seoul.
        "shown_until": datetime(2031, 4, 1, tzinfo=ZoneInfo("Asia/Seoul")),
        "last_published_at": page.last_published_at,
    }
    assert document_of(page).meta.id == page.pk


@pytest.mark.parametrize("kind", ["article", "section", "vision", "notice", "course"])
def test_each_kind_is_indexed_as_itself(world, kind):
    from knowledge.models import VisionPage

    payments = section("결제·환불")
    page = {
        "article": lambda: article(payments, "배송 지연 안내", "지연 보상 쿠폰", tags=["배송"]),
        "section": lambda: payments,
        "vision": lambda: publish(home_page(), VisionPage(title="비전", summary="고객 먼저")),
        "notice": lambda: publish_notice(everyone=True),
        "course": lambda: publish_course(),
    }[kind]()
    document = document_of(page.specific).to_dict()
    text = page.specific.search_text()
    assert document["kind"] == kind
    assert document["page_id"] == page.pk
    assert document["ancestor_ids"] == [a.pk for a in page.get_ancestors(inclusive=True)]
    assert {name: document.get(name, "") for name in text} == text
    assert document.get("tags", []) == (["배송"] if kind == "article" else [])


def test_a_page_leaves_search_at_its_earliest_end(world):
    now = timezone.now()
    notice = publish_notice(everyone=True, effective_until=now + timedelta(days=2))
    assert shown_until(notice) == notice.effective_until
    notice.expire_at = now + timedelta(days=1)
    assert shown_until(notice) == notice.expire_at
    payments = section("결제·환불")
    forever = article(payments, "배송", "배송")
    assert shown_until(forever) is None
    assert "shown_until" not in document_of(forever).to_dict()
