"""A small knowledge tree for tests: sections, articles, policies, a vision page."""

import pytest

from .builders import article, policy, section


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
