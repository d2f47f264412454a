"""A small knowledge tree for tests: sections, articles, policies, a vision page."""

import pytest
from wagtail.models import Site

from knowledge.models import (
    AnswerPolicyPage,
    AnswerScript,
    ArticlePage,
    AuthorityLevel,
    KnowledgeAudience,
    KnowledgeIndexPage,
)


def home_page():
    return Site.objects.get(is_default_site=True).root_page.specific


def publish(parent, page, audience=(), tags=()):
    parent.add_child(instance=page)
    for tag in tags:
        page.tags.add(tag)
    for vendor, team in audience:
        KnowledgeAudience.objects.create(page=page, vendor=vendor, team=team)
    page.save_revision().publish()
    page.refresh_from_db()
    return page


def section(title="결제·환불", parent=None, **kwargs):
    return publish(parent or home_page(), KnowledgeIndexPage(title=title), **kwargs)


def article(parent, title, text, *, blocks=(), **kwargs):
    """An article whose body is ``text``, then any further ``blocks`` (name, value)."""
    page = ArticlePage(
        title=title,
        summary=kwargs.pop("summary", ""),
        body=[("text", f"<p>{text}</p>"), *blocks],
    )
    return publish(parent, page, **kwargs)


def policy(parent, title, situation, script="", **kwargs):
    fields = {
        key: kwargs.pop(key)
        for key in list(kwargs)
        if key in {"authority", "limit_amount_krw", "effective_until", "exclusions"}
    }
    page = AnswerPolicyPage(
        title=title, situation=situation, authority=AuthorityLevel.AGENT_REPORTS, **fields
    )
    if script:
        page.scripts = [AnswerScript(channel="phone", text=script)]
    return publish(parent, page, **kwargs)


@pytest.fixture
def knowledge(db):
    payments = section("결제·환불")
    delivery = section("주문·배송")
    return {
        "payments": payments,
        "delivery": delivery,
        "refund": policy(
            payments,
            "단순 변심 환불",
            "고객이 단순 변심으로 환불을 요청하는 경우",
            script="고객님, 환불해 드리겠습니다. 3영업일 안에 처리됩니다.",
            limit_amount_krw=50000,
            tags=["환불"],
        ),
        "delay": article(
            delivery,
            "배송 지연 안내",
            "택배사 사정으로 배송이 지연되면 지연 보상 쿠폰을 드립니다.",
            tags=["배송"],
        ),
        "coupon": article(
            payments,
            "쿠폰 적용 오류",
            "쿠폰이 적용되지 않을 때는 유효 기간과 최소 주문 금액을 확인합니다.",
        ),
        "english": article(
            payments,
            "Refund policy for overseas customers",
            "Overseas customers receive refunds in their original currency.",
        ),
    }
