"""Demo notices: a launch, a promotion, a policy change that took effect three days ago
(in its second version), a system notice, and a change scheduled for next Monday;
delivered at once, and acknowledged by some of the demo agents so every dashboard has
something to show. Each notice about a policy is one record with the policy's change,
so the two always agree. Loaded once: an existing notices section is kept."""

import json
from datetime import datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from knowledge.models import AnswerPolicyPage, AnswerScript
from portal.audit.chain import seal
from portal.organisation.models import AgentProfile
from portal.publishing import add_page, publish, publish_again
from portal.questions import question
from training.models import CoursePage

from . import changes
from .audience import audience_agents
from .builders import (
    acknowledge_shown,
    acknowledge_waiting,
    new_notice,
    notice_section,
    publish_notice,
)
from .changes import record_change
from .delivery import create_deliveries, send_delivery_emails
from .models import (
    AffectedPage,
    Change,
    ChangeNoticePage,
    Delivery,
    NoticeDispatch,
    NoticeIndexPage,
)
from .versions import current_material_version

QUESTION = question(
    "12월부터 멤버십 회원의 무료배송 기준은?",
    ["2만 원 이상 구매", "금액과 관계없이 무료", "월 2회까지 무료"],
    {1},
    explanation="개편 후 멤버십 회원은 금액과 관계없이 무료배송입니다.",
)
#: Where the demo's acknowledgements come from.
DEMO_CLIENT = {"ip_address": "10.20.30.40", "user_agent": "Mozilla/5.0 (demo)"}


def load_demo_notices() -> int:
    if NoticeIndexPage.objects.exists():
        return 0
    notice_section()
    now = timezone.now()

    membership = _publish(
        title="12월 멤버십 개편: 무료배송 기준 변경",
        kind="launch",
        summary="12월 1일부터 멤버십 회원은 금액과 관계없이 무료배송입니다. 상담 시 안내해 주세요.",
        changes="<p>월 4,900원 멤버십 회원은 <b>금액과 관계없이 무료배송</b>입니다.</p>"
        "<p>비회원은 기존과 같이 2만 원 이상 구매 시 무료배송입니다.</p>",
        everyone=True,
        acknowledge_by=now + timedelta(days=4),
        questions=[QUESTION],
    )
    promotion = _publish(
        title="연말 쿠폰 프로모션 (12/1~12/31)",
        kind="promotion",
        summary="전 고객 10% 할인 쿠폰(최대 1만 원)을 12월 한 달 동안 발급합니다.",
        changes="<p>쿠폰은 1인 1회, 3만 원 이상 구매 시 사용할 수 있습니다.</p>"
        "<p>쿠폰 미발급 문의는 회원 등급과 관계없이 재발급해 드립니다.</p>",
        everyone=True,
        acknowledge_by=now + timedelta(days=1),
        effective_until=now + timedelta(days=37),
    )
    refund = _refund_period_change(now)
    _publish(
        title="상담 시스템 정기 점검 (일요일 02:00~04:00)",
        kind="system",
        summary="점검 시간에는 주문 조회가 되지 않습니다. 고객께 양해를 구해 주세요.",
        changes="<p>점검 중 주문 조회 문의는 점검 후 회신으로 안내합니다.</p>",
        everyone=True,
        acknowledgement_required=False,
    )

    agents = list(
        AgentProfile.objects.unscoped()
        .filter(status=AgentProfile.Status.ACTIVE, team__isnull=False)
        .order_by("employee_number", "pk")
    )
    # Some have read and confirmed; the rest give the reminders and dashboards work.
    for index, agent in enumerate(agents):
        if index % 3 == 0:
            _ack(membership, agent, {"0": ["1"]})
        if index % 2 == 0:
            _ack(promotion, agent)
        # The printed demo agent of each vendor (employee 1002) confirmed version 1.
        if index % 4 == 0 or agent.employee_number == "1002":
            _ack(refund, agent)
    # The notice then gains a check of understanding (a material version): those who
    # confirmed version 1 see what changed and confirm again.
    publish_again(
        refund,
        material=True,
        summary="단순 변심 환불 접수 기간이 수령 후 7일에서 14일로 늘었습니다. "
        "14일을 넘긴 요청은 받지 않습니다.",
        understanding_check=[("question", REFUND_QUESTION)],
    )
    _deliver_now(refund)
    return ChangeNoticePage.objects.count()


#: The demo's policies that change: by their external ids in demo_data/knowledge.jsonl.
REFUND_POLICY = "demo-policy-refund-change-of-mind"
DELAY_POLICY = "demo-policy-delivery-delay-compensation"
DELAY_NOTICE = "배송 지연 보상 인상: 3,000원 → 5,000원"
REFUND_QUESTION = question(
    "단순 변심 환불은 수령 후 며칠 안에 접수하나요?",
    ["7일", "14일", "30일"],
    {1},
    explanation="접수 기간이 수령 후 14일로 늘었습니다.",
)


def _publisher():

    return get_user_model().objects.filter(username="nuri-publisher").first()


def _refund_period_change(now):
    """Three days ago the refund period went from 7 to 14 days: the policy's change and
    the notice that announced it, one record (the demo file holds the policy as it
    reads now, so its earlier wording is published first)."""

    publisher = _publisher()
    policy = AnswerPolicyPage.objects.get(external_id=REFUND_POLICY)
    current = policy.conditions
    policy.conditions = current.replace("14일", "7일")
    policy.save_revision(user=publisher).publish(user=publisher)
    policy.refresh_from_db()
    policy.conditions = current
    revision = policy.save_revision(user=publisher)

    notice = new_notice(
        "환불 접수 기간 변경: 7일 → 14일",
        priority="urgent",
        summary="단순 변심 환불 접수 기간이 수령 후 7일에서 14일로 늘었습니다.",
        changes="<p>고객이 14일 안에 요청하면 기존과 같이 회수 후 환불합니다.</p>",
        everyone=True,
        acknowledge_by=now - timedelta(hours=6),
        counts_for_readiness=True,
        live=False,
        affected_pages=[AffectedPage(page=policy)],
    )
    add_page(notice_section(), notice)
    took_effect = now - timedelta(days=3)
    # Shown against the earlier wording, still the policy's live revision here.
    record_change(notice, policy, revision, effective_at=took_effect, user=publisher)
    revision.publish(user=publisher)
    Change.objects.filter(notice=notice).update(took_effect_at=took_effect)
    notice.effective_from = took_effect
    notice.save()
    publish(notice)
    _deliver_now(notice)
    return notice


def load_demo_changes() -> int:
    """A change scheduled for next Monday: the delay compensation rises from 3,000 to
    5,000 won in the policy and in the course lesson that teaches it, announced by one
    notice. Loaded once."""

    if Change.objects.filter(notice__title=DELAY_NOTICE).exists():
        return 0
    publisher = _publisher()
    policy = AnswerPolicyPage.objects.get(external_id=DELAY_POLICY)
    policy.limit_amount_krw = 5000
    policy.scripts = [
        AnswerScript(channel=script.channel, text=script.text.replace("3,000원", "5,000원"))
        for script in policy.scripts.all()
    ]
    policy.save_revision(user=publisher)
    course = CoursePage.objects.get(slug="product-basics")
    course.lessons = _replaced(course.lessons.raw_data, "3,000원", "5,000원")
    course.quiz = _replaced(course.quiz.raw_data, "3,000원", "5,000원")
    course.material_change = True
    course.save_revision(user=publisher)

    days = 7 - timezone.localdate().weekday()
    starts = timezone.make_aware(
        datetime.combine(timezone.localdate() + timedelta(days=days), time(0, 0))
    )
    change = changes.announce(
        policy,
        effective_at=starts,
        user=publisher,
        new_notice=changes.NewNotice(
            title=DELAY_NOTICE,
            summary="다음 주 월요일부터 2시간 이상 배송 지연 적립금이 5,000원으로 오릅니다.",
            acknowledge_by=starts,
            publish_now=False,
        ),
    )
    changes.announce(course, effective_at=starts, user=publisher, notice=change.notice)
    notice = ChangeNoticePage.objects.get(pk=change.notice_id)
    notice.save_revision(user=publisher).publish(user=publisher)
    notice.refresh_from_db()
    _deliver_now(notice)
    return 2


def _replaced(raw, old: str, new: str):
    """A StreamField's raw data with ``old`` replaced by ``new`` in every text."""

    return json.loads(json.dumps(list(raw), ensure_ascii=False).replace(old, new))


def _publish(**fields):
    page = publish_notice(**fields)
    _deliver_now(page)
    return page


def _deliver_now(page):
    """Deliver in this process, so the demo starts with full inboxes; the queued dispatch
    finds nothing left to do when the worker starts."""

    version = current_material_version(page)
    create_deliveries(version, list(audience_agents(page).values_list("pk", flat=True)))
    ids = list(Delivery.objects.unscoped().filter(version=version).values_list("pk", flat=True))
    send_delivery_emails(ids)
    NoticeDispatch.objects.filter(version=version).update(
        status=NoticeDispatch.Status.DONE, finished_at=timezone.now()
    )


def _ack(page, agent, answers=None):
    acknowledge_shown(page, agent, answers, **DEMO_CLIENT)
    # Sealed as beat would within its merge delay, however long the rest of the load takes.
    seal(everything=True)


def acknowledge_current_notices(agent) -> int:
    """The demo's well-prepared agents: every notice waiting for them, confirmed with the
    right answers (used by the training demo for agents who are ready)."""
    acknowledged = acknowledge_waiting(agent, **DEMO_CLIENT)
    seal(everything=True)
    return acknowledged
