"""Demo training: two Korean courses with quizzes (product basics; refund and exchange
policy), and the demo agents at different stages, so the readiness view has something
to show. Loaded once: an existing training section is kept."""

from datetime import timedelta

from django.utils import timezone

from notices.demo import acknowledge_current_notices
from portal.audit.chain import seal
from portal.organisation.models import AgentProfile, Vendor
from portal.organisation.roles import Role

from .builders import (
    callout,
    lesson,
    publish_course,
    quiz_question,
    read_lessons,
    take_quiz,
    text,
    training_section,
)
from .models import QuizAttempt, ReadinessSnapshot, TrainingIndexPage
from .nudges import record_snapshots
from .readiness import agent_readiness
from .signing import sign_off

PRODUCT_BASICS = {
    "title": "상품·서비스 기본 교육",
    "slug": "product-basics",
    "summary": "누리마켓의 서비스, 멤버십, 배송과 결제를 고객에게 정확히 안내할 수 있습니다.",
    "estimated_minutes": 40,
    "lessons": [
        lesson(
            "누리마켓 소개와 우리가 지키는 약속",
            8,
            text(
                "<p>누리마켓은 신선식품과 생활용품을 <b>다음 날 새벽</b>까지 배송하는 "
                "온라인 마켓입니다. 고객이 다시 찾는 이유는 빠른 배송보다 "
                "<b>믿을 수 있는 안내</b>입니다.</p>"
                "<h2>상담의 세 가지 약속</h2><ol><li>정확하게: 모르면 확인 후 다시 연락합니다."
                "</li><li>끝까지: 고객이 다시 묻지 않도록 한 번에 해결합니다.</li>"
                "<li>먼저: 지연이나 변경은 고객보다 먼저 알립니다.</li></ol>"
            ),
            callout("info", "고객이 화가 나 있으면 해결책보다 공감 한 문장을 먼저 말합니다."),
        ),
        lesson(
            "멤버십과 무료배송",
            10,
            text(
                "<p>월 4,900원 <b>누리패스</b> 멤버십 회원은 금액과 관계없이 무료배송이며, "
                "매월 5% 적립 쿠폰을 받습니다.</p><p>비회원은 2만 원 이상 구매 시 "
                "무료배송입니다. 멤버십 해지는 다음 결제일 전까지 언제든 가능합니다.</p>"
            ),
            callout(
                "warning", "멤버십 요금 환불은 결제 후 7일 이내, 혜택 미사용 시에만 가능합니다."
            ),
        ),
        lesson(
            "새벽배송과 배송 지연",
            10,
            text(
                "<p>밤 11시까지 주문하면 다음 날 아침 7시 전에 도착합니다. 제주와 도서 지역은 "
                "새벽배송 대상이 아닙니다.</p><p>배송이 지연되면 주문 조회 화면의 "
                "<b>지연 사유</b>를 먼저 확인하고, 2시간 이상 지연은 적립금 3,000원을 "
                "안내할 수 있습니다.</p>"
            ),
        ),
        lesson(
            "결제, 쿠폰과 적립금",
            12,
            text(
                "<p>쿠폰은 주문 1건에 1장만 쓸 수 있고, 적립금과 함께 쓸 수 있습니다. "
                "쿠폰이 적용되지 않으면 <b>최소 주문 금액</b>과 <b>유효 기간</b>을 먼저 "
                "확인합니다.</p><p>시스템 오류로 쿠폰이 사라진 경우 같은 쿠폰을 재발급할 수 "
                "있습니다.</p>"
            ),
            callout("info", "재발급은 상담사가 바로 결정하고 사후 보고하는 항목입니다."),
        ),
    ],
    "quiz": [
        quiz_question(
            "누리패스 멤버십 회원의 무료배송 기준은?",
            ["2만 원 이상 구매", "금액과 관계없이 무료", "월 2회까지 무료"],
            {1},
            explanation="멤버십 회원은 금액과 관계없이 무료배송입니다.",
        ),
        quiz_question(
            "새벽배송 대상이 아닌 지역을 모두 고르세요.",
            ["제주", "서울", "도서 지역", "경기"],
            {0, 2},
            explanation="제주와 도서 지역은 새벽배송 대상이 아닙니다.",
            multiple=True,
        ),
        quiz_question(
            "배송이 2시간 이상 지연되었을 때 안내할 수 있는 보상은?",
            ["적립금 3,000원", "전액 환불", "다음 주문 무료배송 쿠폰 3장"],
            {0},
            explanation="2시간 이상 지연은 적립금 3,000원을 안내합니다.",
        ),
        quiz_question(
            "쿠폰이 적용되지 않는다는 문의에 먼저 확인할 것은?",
            ["고객의 회원 등급", "최소 주문 금액과 유효 기간", "결제 수단"],
            {1},
            explanation="최소 주문 금액과 유효 기간을 먼저 확인합니다.",
        ),
    ],
}

REFUND_POLICY = {
    "title": "환불·교환 정책과 권한 이양",
    "slug": "refund-exchange",
    "summary": "환불과 교환을 기준에 맞게 접수하고, 상담사가 스스로 결정할 수 있는 범위를 압니다.",
    "estimated_minutes": 50,
    "lessons": [
        lesson(
            "환불 접수 기준",
            12,
            text(
                "<p>단순 변심 환불은 <b>수령 후 14일</b> 이내 접수합니다. 신선식품은 "
                "품질 문제일 때만 환불하며, 사진을 받아 확인합니다.</p>"
                "<p>환불은 결제 수단으로 3영업일 안에 처리됩니다.</p>"
            ),
        ),
        lesson(
            "교환 절차",
            10,
            text(
                "<p>같은 상품으로의 교환은 회수와 동시에 새 상품을 보냅니다. 다른 상품으로 "
                "바꾸려면 환불 후 새로 주문하도록 안내합니다.</p>"
            ),
            callout("warning", "교환 회수 기사 방문 일정은 고객과 통화 중에 확정합니다."),
        ),
        lesson(
            "권한 이양: 상담사가 결정하는 것",
            15,
            text(
                "<p>다음은 상담사가 <b>바로 결정</b>합니다.</p><ul>"
                "<li>3만 원 이하 품질 불량 환불</li><li>쿠폰 재발급(고객당 월 1회)</li>"
                "<li>2시간 이상 배송 지연 적립금 3,000원</li></ul>"
                "<p>다음은 <b>결정 후 사후 보고</b>합니다: 3만 원 초과 10만 원 이하 환불.</p>"
                "<p>10만 원 초과 환불과 VIP 고객 불만은 팀장 승인 또는 "
                "고객사 에스컬레이션입니다.</p>"
            ),
        ),
        lesson(
            "사후 보고와 에스컬레이션",
            8,
            text(
                "<p>사후 보고는 상담이 끝난 뒤 1시간 안에 상담 시스템의 <b>사후 보고</b> 양식으로 "
                "남깁니다. 에스컬레이션은 팀장에게 먼저, 팀장이 없으면 고객사 CX 담당에게 "
                "메신저로 요청합니다.</p>"
            ),
        ),
    ],
    "quiz": [
        quiz_question(
            "단순 변심 환불 접수 기간은?",
            ["수령 후 7일", "수령 후 14일", "주문 후 30일"],
            {1},
            explanation="정책 변경으로 수령 후 14일입니다.",
        ),
        quiz_question(
            "상담사가 바로 결정할 수 있는 것을 모두 고르세요.",
            [
                "3만 원 이하 품질 불량 환불",
                "쿠폰 재발급(고객당 월 1회)",
                "15만 원 환불",
                "VIP 고객 불만 보상",
            ],
            {0, 1},
            explanation="10만 원 초과 환불과 VIP 불만은 상담사가 혼자 결정하지 않습니다.",
            multiple=True,
        ),
        quiz_question(
            "5만 원 품질 불량 환불은 어떻게 처리하나요?",
            ["팀장 승인 후 처리", "상담사가 결정하고 사후 보고", "고객사에 에스컬레이션"],
            {1},
            explanation="3만 원 초과 10만 원 이하는 결정 후 사후 보고입니다.",
        ),
        quiz_question(
            "다른 상품으로 교환을 원하는 고객에게는?",
            ["바로 교환 접수", "환불 후 새로 주문하도록 안내", "교환 불가 안내"],
            {1},
            explanation="다른 상품으로의 교환은 환불 후 새 주문입니다.",
        ),
        quiz_question(
            "사후 보고는 언제까지 남기나요?",
            ["상담 종료 후 1시간 안에", "당일 퇴근 전", "다음 날 오전"],
            {0},
        ),
    ],
}


def load_demo_training() -> int:
    if TrainingIndexPage.objects.exists():
        return 0
    training_section()
    courses = [_publish(spec) for spec in (PRODUCT_BASICS, REFUND_POLICY)]
    Vendor.objects.unscoped().filter(code="HGCS").update(go_live_sign_off=True)
    _progress_demo_agents(courses)
    _snapshot_history()
    return len(courses)


def _publish(spec):
    return publish_course(
        **spec, required_for_go_live=True, pass_mark=80, max_attempts=3, attempt_wait_minutes=10
    )


def _finish(course, agent, lessons=None, quiz=True, failed_first=False):
    read_lessons(course, agent, lessons)
    if quiz:
        if failed_first:
            take_quiz(course, agent, wrong=2)
            QuizAttempt.objects.filter(agent=agent, course=course).update(
                submitted_at=timezone.now() - timedelta(hours=2)
            )
        take_quiz(course, agent)


def _progress_demo_agents(courses):
    """Stages by position in each team: the printed demo agent (second of the team) is
    half-way through the first course and can finish it in the demo."""

    basics, refund = courses
    agents = list(
        AgentProfile.objects.unscoped()
        .filter(
            status=AgentProfile.Status.ACTIVE,
            team__isnull=False,
            user__groups__name=Role.AGENT.value,
        )
        .exclude(user__groups__name=Role.TEAM_LEAD.value)
        .select_related("user", "vendor", "team")
        .order_by("team_id", "employee_number")
    )
    position = {}
    for agent in agents:
        index = position[agent.team_id] = position.get(agent.team_id, -1) + 1
        stage = index % 6
        if stage == 0:  # the demo agent: two lessons in
            _finish(basics, agent, lessons=2, quiz=False)
        elif stage == 1:
            continue  # not started
        elif stage == 2:
            _finish(basics, agent)
            _finish(refund, agent, lessons=1, quiz=False)
        elif stage == 3:
            _finish(basics, agent, failed_first=True)
            _finish(refund, agent, lessons=None, quiz=False)
        else:  # everything done and confirmed; some signed off by their lead
            _finish(basics, agent)
            _finish(refund, agent, failed_first=stage == 5)
            acknowledge_current_notices(agent)
            if stage == 4 and agent.vendor.go_live_sign_off:
                _sign_off_by_lead(agent)


def awaiting_sign_off() -> tuple[AgentProfile, AgentProfile] | None:
    """A demo agent who has done everything but their lead's sign-off, and that lead
    (the journeys ``load_demo`` prints)."""
    agents = (
        AgentProfile.objects.unscoped()
        .filter(status=AgentProfile.Status.ACTIVE, vendor__go_live_sign_off=True)
        .filter(user__groups__name=Role.AGENT.value)
        .exclude(user__groups__name=Role.TEAM_LEAD.value)
        .select_related("user", "team")
        .order_by("team_id", "employee_number")
    )
    for agent in agents:
        readiness = agent_readiness(agent)
        if readiness.training_done and readiness.notices_done and not readiness.signed_off:
            lead = (
                AgentProfile.objects.unscoped()
                .filter(team=agent.team, user__groups__name=Role.TEAM_LEAD.value)
                .select_related("user")
                .first()
            )
            return (agent, lead) if lead else None
    return None


def _sign_off_by_lead(agent):
    lead = (
        AgentProfile.objects.unscoped()
        .filter(team=agent.team, user__groups__name=Role.TEAM_LEAD.value)
        .select_related("user")
        .first()
    )
    if lead is not None:
        sign_off(agent_readiness(agent), lead.user, ip_address="10.20.30.41", user_agent="demo")
        seal(everything=True)


def _snapshot_history():
    """Today's snapshot, and a plausible climb towards it over the two weeks before."""
    record_snapshots()
    today = timezone.localdate()
    history = []
    for snapshot in ReadinessSnapshot.objects.filter(day=today):
        for days_ago in range(1, 15):
            history.append(
                ReadinessSnapshot(
                    day=today - timedelta(days=days_ago),
                    vendor_id=snapshot.vendor_id,
                    team_id=snapshot.team_id,
                    go_live_date=snapshot.go_live_date,
                    agents=snapshot.agents,
                    ready=max(0, snapshot.ready - (days_ago * snapshot.ready) // 12),
                )
            )
    ReadinessSnapshot.objects.bulk_create(history, ignore_conflicts=True)
