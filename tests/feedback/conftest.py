"""A policy in a section with an owner, and a vendor-B-only article."""

import pytest

from tests.factories import make_client_staff
from tests.knowledge.builders import article, policy, section


@pytest.fixture
def pages(world):
    owner = make_client_staff(name="정책 담당")
    section_owner = make_client_staff(name="섹션 담당")
    payments = section("결제·환불")
    payments.content_owner = section_owner
    payments.save_revision().publish()
    refund = policy(payments, "단순 변심 환불", "고객이 단순 변심으로 환불을 요청하는 경우")
    refund.content_owner = owner
    refund.save_revision().publish()
    refund.refresh_from_db()
    coupon = article(payments, "쿠폰 적용 오류", "쿠폰 유효 기간을 확인합니다.")
    only_b = section("온누리 전용", audience=[(world.vendor_b, None)])
    secret = article(only_b, "온누리 안내", "온누리 상담 안내")
    return {
        "owner": owner,
        "section_owner": section_owner,
        "payments": payments,
        "refund": refund,
        "coupon": coupon,
        "secret": secret,
    }
