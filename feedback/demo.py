"""Demo feedback: a dozen items from both vendors' agents in every status, and the
credited one the demo's story turns on: 온누리컨택's agent onc-1002, live since November,
passed on customers' complaints that seven days to ask for a refund was too short; the
refund period change (7일 → 14일), its policy revision and its notice, resolved it.
Loaded once: existing feedback is kept."""

from datetime import timedelta

from django.utils import timezone

from knowledge.models import AnswerPolicyPage
from notices.demo import REFUND_POLICY
from notices.models import Change, ChangeNoticePage
from portal.organisation.models import AgentProfile
from training.models import CoursePage

from .models import FeedbackItem, Kind, Status
from .raising import raise_feedback

MEMBERSHIP_NOTICE = "12월 멤버십 개편: 무료배송 기준 변경"
PROMOTION_NOTICE = "연말 쿠폰 프로모션 (12/1~12/31)"

#: (page: a knowledge external id, a notice title, or "course"), agent (vendor code,
#: employee number), kind, text, customer's words, status, reply, days ago.
ITEMS = [
    ("demo-policy-coupon-not-applied", ("HGCS", "1002"), Kind.UNCLEAR,
     "최소 주문 금액이 할인 전 금액 기준인지 할인 후 금액 기준인지 정책에 없습니다.",
     "", Status.NEW, "", 1),
    (PROMOTION_NOTICE, ("HGCS", "1003"), Kind.UNCLEAR,
     "쿠폰 재발급이 '1인 1회' 제한과 별도인지 헷갈립니다.", "", Status.NEW, "", 0),
    ("demo-policy-account-delete", ("ONC", "1003"), Kind.UNCLEAR,
     "탈퇴 후 재가입 제한 기간을 물으면 어떻게 답해야 하나요?", "", Status.NEW, "", 2),
    ("course", ("ONC", "1102"), Kind.UNCLEAR,
     "1강의 예시가 실제 주문 화면과 달라 고객에게 설명하기 어렵습니다.", "", Status.NEW, "", 1),
    ("demo-policy-delivery-delay-compensation", ("ONC", "1004"), Kind.IDEA,
     "보상 쿠폰을 통화 중 문자로 바로 보낼 수 있으면 통화 시간이 줄 것 같습니다.",
     "", Status.IN_REVIEW, "시스템 담당과 발송 방법을 검토하고 있습니다.", 5),
    ("demo-policy-membership-cancel", ("ONC", "1005"), Kind.WRONG,
     "스크립트의 환불 금액 계산 예시가 상담 시스템의 금액과 다릅니다.",
     "", Status.IN_REVIEW, "", 3),
    (MEMBERSHIP_NOTICE, ("ONC", "1006"), Kind.VOC,
     "기존 회원들이 월 회비도 오르는지 많이 묻습니다. 공지에 한 줄 있으면 좋겠습니다.",
     "그럼 회비도 오르는 거예요?", Status.IN_REVIEW, "", 4),
    ("demo-policy-dawn-delivery-miss", ("HGCS", "1004"), Kind.MISSING,
     "새벽배송 미도착 때 재배송과 환불 중 고객이 고를 수 있는지 안내가 없습니다.",
     "", Status.ACCEPTED, "좋은 지적입니다. 다음 개정에 선택 기준을 넣겠습니다.", 6),
    ("demo-policy-points-missing", ("ONC", "1007"), Kind.VOC,
     "적립금이 언제 들어오는지 묻는 문의가 하루 20건이 넘습니다.",
     "주문한 지 일주일인데 적립금이 안 보여요.", Status.ACCEPTED,
     "적립 시점을 정책 맨 위에 추가하겠습니다.", 8),
    ("demo-policy-vip-complaint", ("HGCS", "1102"), Kind.IDEA,
     "VIP 불만은 첫 통화에서 바로 팀장에게 연결하면 좋겠습니다.", "", Status.DECLINED,
     "VIP 고객도 상담사가 먼저 해결하는 것이 원칙이라 지금 기준을 유지합니다.", 9),
    ("demo-policy-exchange-size", ("HGCS", "1005"), Kind.MISSING,
     "교환 왕복 배송비를 누가 부담하는지 정책에 없습니다.", "", Status.DECLINED,
     "조건 항목에 이미 있습니다: 단순 사이즈 교환은 고객 부담입니다.", 10),
]  # fmt: skip


def load_demo_feedback() -> int:
    if FeedbackItem.objects.exists():
        return 0
    now = timezone.now()
    for page_key, (vendor, number), kind, text, quote, status, reply, days in ITEMS:
        page, lesson_id = _page(page_key)
        item = raise_feedback(
            _agent(vendor, number),
            page,
            kind=kind,
            text=text,
            customer_quote=quote,
            lesson_id=lesson_id,
            tell_owner=False,
        )
        _answered(item, now - timedelta(days=days, hours=2), status, reply)
    _credited_change(now)
    return len(ITEMS) + 1


def _credited_change(now) -> None:
    change = Change.objects.select_related("notice", "revision").get(
        page__answerpolicypage__external_id=REFUND_POLICY
    )
    item = raise_feedback(
        _agent("ONC", "1002"),
        change.page.specific,
        kind=Kind.VOC,
        text="환불 접수 기간 7일이 너무 짧다는 항의가 매일 있습니다. "
        "출장이나 여행으로 늦게 확인한 고객이 특히 많습니다.",
        customer_quote="택배 받고 일주일 넘게 출장이었는데 환불이 안 된다니요?",
        tell_owner=False,
    )
    # Raised on the 7-day wording, before the change that answered it.
    FeedbackItem.objects.filter(pk=item.pk).update(
        revision=change.base_revision_id,
        resolved_by_revision=change.revision,
        resolved_by_notice=change.notice,
    )
    # The change is dated back, its revision was saved just now: credited no earlier
    # than what resolved it existed.
    answered_at = max(change.took_effect_at, change.revision.created_at)
    _answered(
        item,
        change.took_effect_at - timedelta(days=9),
        Status.DONE,
        "의견을 반영해 접수 기간을 수령 후 14일로 늘렸습니다. 고맙습니다.",
        answered_at=answered_at,
    )


def _answered(item, raised_at, status, reply, answered_at=None) -> None:
    answered = None
    if status != Status.NEW or reply:
        answered = answered_at or raised_at + timedelta(days=1)
    FeedbackItem.objects.filter(pk=item.pk).update(
        created_at=raised_at,
        status=status,
        reply=reply,
        answered_at=answered,
        # The demo sends no email: its items and answers are news in the portal only.
        emailed_at=answered,
        owner_told_at=raised_at,
    )


def _agent(vendor_code, employee_number):
    return AgentProfile.objects.get(vendor__code=vendor_code, employee_number=employee_number)


def _page(key):
    if key == "course":
        course = CoursePage.objects.live().order_by("path").first()
        return course, course.lessons[0].id
    if key.startswith("demo-policy-"):
        return AnswerPolicyPage.objects.get(external_id=key), ""
    return ChangeNoticePage.objects.get(title=key), ""
