"""Demo notices: a launch, a promotion, a policy change in its second version, a system
notice; delivered at once, and acknowledged by some of the demo agents so every
dashboard has something to show. Loaded once: an existing notices section is kept."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from wagtail.models import Site

from portal.organisation.models import AgentProfile, Vendor

from .acknowledging import acknowledge
from .delivery import create_deliveries, send_delivery_emails
from .models import ChangeNoticePage, Delivery, NoticeDispatch, NoticeIndexPage
from .versions import current_material_version, latest_version

QUESTION = {
    "question": "12월부터 멤버십 회원의 무료배송 기준은?",
    "choices": [
        {"text": "2만 원 이상 구매", "correct": False},
        {"text": "금액과 관계없이 무료", "correct": True},
        {"text": "월 2회까지 무료", "correct": False},
    ],
    "explanation": "개편 후 멤버십 회원은 금액과 관계없이 무료배송입니다.",
}


def load_demo_notices() -> int:
    if NoticeIndexPage.objects.exists():
        return 0
    home = Site.objects.get(is_default_site=True).root_page.specific
    section = NoticeIndexPage(title="변경 공지", slug="notices", intro="출시·프로모션·정책 변경")
    home.add_child(instance=section)
    section.save_revision().publish()
    now = timezone.now()
    hgcs = Vendor.objects.unscoped().get(code="HGCS")

    membership = _publish(
        section,
        title="12월 멤버십 개편: 무료배송 기준 변경",
        kind="launch",
        summary="12월 1일부터 멤버십 회원은 금액과 관계없이 무료배송입니다. 상담 시 안내해 주세요.",
        changes="<p>월 4,900원 멤버십 회원은 <b>금액과 관계없이 무료배송</b>입니다.</p>"
        "<p>비회원은 기존과 같이 2만 원 이상 구매 시 무료배송입니다.</p>",
        everyone=True,
        due=now + timedelta(days=4),
        questions=[QUESTION],
    )
    promotion = _publish(
        section,
        title="연말 쿠폰 프로모션 (12/1~12/31)",
        kind="promotion",
        summary="전 고객 10% 할인 쿠폰(최대 1만 원)을 12월 한 달 동안 발급합니다.",
        changes="<p>쿠폰은 1인 1회, 3만 원 이상 구매 시 사용할 수 있습니다.</p>"
        "<p>쿠폰 미발급 문의는 회원 등급과 관계없이 재발급해 드립니다.</p>",
        everyone=True,
        due=now + timedelta(days=1),
        until=now + timedelta(days=37),
    )
    refund = _publish(
        section,
        title="환불 접수 기간 변경: 7일 → 14일",
        kind="policy",
        priority="urgent",
        summary="단순 변심 환불 접수 기간이 수령 후 7일에서 14일로 늘어납니다.",
        changes="<p>단순 변심 환불은 <b>수령 후 7일</b> 이내 접수합니다.</p>",
        vendors=[hgcs],
        due=now - timedelta(hours=6),
    )
    _publish(
        section,
        title="상담 시스템 정기 점검 (일요일 02:00~04:00)",
        kind="system",
        summary="점검 시간에는 주문 조회가 되지 않습니다. 고객께 양해를 구해 주세요.",
        changes="<p>점검 중 주문 조회 문의는 점검 후 회신으로 안내합니다.</p>",
        everyone=True,
        required=False,
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
        if agent.vendor_id == hgcs.pk and index % 4 == 0:
            _ack(refund, agent)
    # The refund policy then changes materially: those who confirmed version 1 see the
    # difference and confirm again.
    refund.changes = (
        "<p>단순 변심 환불은 <b>수령 후 14일</b> 이내 접수합니다.</p>"
        "<p>14일이 지난 요청은 팀장 승인 후 처리합니다.</p>"
    )
    refund.material_change = True
    _publish_revision(refund)
    return ChangeNoticePage.objects.count()


def _publish(section, *, title, kind, summary, changes, **options):
    page = ChangeNoticePage(
        title=title,
        kind=kind,
        priority=options.get("priority", "normal"),
        summary=summary,
        changes=changes,
        audience_everyone=options.get("everyone", False),
        acknowledgement_required=options.get("required", True),
        acknowledge_by=options.get("due"),
        effective_until=options.get("until"),
        understanding_check=[("question", q) for q in options.get("questions", [])],
    )
    section.add_child(instance=page)
    page.audience_vendors.set(options.get("vendors", []))
    page.save()
    return _publish_revision(page)


def _publish_revision(page):
    with transaction.atomic():
        page.save_revision().publish()
    page.refresh_from_db()
    _deliver_now(page)
    return page


def _deliver_now(page):
    """Deliver in this process, so the demo starts with full inboxes; the queued dispatch
    finds nothing left to do when the worker starts."""
    from .audience import audience_agents

    version = current_material_version(page)
    create_deliveries(version, list(audience_agents(page).values_list("pk", flat=True)))
    ids = list(Delivery.objects.unscoped().filter(version=version).values_list("pk", flat=True))
    send_delivery_emails(ids)
    NoticeDispatch.objects.filter(version=version).update(
        status=NoticeDispatch.Status.DONE, finished_at=timezone.now()
    )


def _ack(page, agent, answers=None):
    acknowledge(
        page,
        agent,
        revision_id=latest_version(page).revision_id,
        answers=answers,
        ip_address="10.20.30.40",
        user_agent="Mozilla/5.0 (demo)",
    )


def acknowledge_current_notices(agent) -> int:
    """The demo's well-prepared agents: every notice waiting for them, confirmed with the
    right answers (used by the training demo for agents who are ready)."""
    from .inbox import unacknowledged_notices

    count = 0
    for delivery in unacknowledged_notices([agent.pk]).get(agent.pk, []):
        notice = delivery.notice
        answers = {
            str(number): [str(i) for i, c in enumerate(q["choices"]) if c["correct"]]
            for number, q in enumerate(notice.questions)
        }
        _ack(notice, agent, answers)
        count += 1
    return count
