"""Demo contracts: each vendor's contract, its KPIs and a year of monthly actuals, with
the review notes of the last months; one story with the organisation's.

The contracts are older than the portal. 누리마켓 has outsourced to both vendors since
October 2025, each starting with a pilot; their KPIs were reported every month from the
vendors' call-centre systems long before the agents in the roster were trained here. The
roster's go-live dates are the new teams this portal onboards:

- 온누리컨택 has answered the phones from 부산 since its pilot (October to December 2025).
  Its new 부산 phone team went live on 2026-11-02 after its 오픈 전 교육, and the
  training took experienced agents off the phones in the two months before: its response
  rate (응답률) missed the target in the last two complete months, the miss the board
  shows and the alert emails both sides about; the review notes say what was agreed.
- 한결CS has run the chat and email desk since its pilot (October 2025 to January 2026),
  from before its 서울 teams were hired; they go live on 2026-12-07, phone included. So its
  year of KPIs is chat and email (chat response rate, email handling time in minutes):
  there are no phone figures before its phone go-live, and the contract will add a phone
  KPI then (its review note says so).

Each contract also has a KPI the portal computes (decisions within limits, weekly, from
the demo's week of decisions): it shows "no data" for the weeks before the portal, never 0.

The actuals are recorded as the vendors' systems push them (``record_actuals``). Loading
again adds nothing: contracts are found by name, the same actuals change nothing, notes
are written once. Nothing is emailed: the missed-KPI alert is beat's to send.
"""

from datetime import date

from django.contrib.auth import get_user_model

from portal.organisation.models import Channel, Vendor
from portal.periods import today

from .board import complete_periods
from .builders import kpi, make_contract
from .models import Contract, Direction, Measure, ReviewNote, Source, Unit
from .periods import Period, period_label
from .recording import Line, record_actuals

STARTS_ON = date(2025, 10, 1)


def _both_vendors_kpis():
    """The promises both contracts make alike (new rows for each contract)."""
    return [
        kpi("csat", "고객 만족도", Unit.SCORE, Direction.HIGHER, "4.5", "0.2",
            definition="상담 후 문자 설문 5점 척도의 평균."),
        kpi("decisions", "권한 내 처리율", target="80", tolerance="5", period=Period.WEEK,
            measure=Measure.DECISIONS_WITHIN_LIMITS,
            definition="상담사가 권한 이양 정책으로 처리한 건 중 한도 안에서 기록된 비율 "
            "(포털이 사후 보고 기록으로 계산)."),
    ]  # fmt: skip


#: vendor code → (contract name, pilot ends, channels, KPIs, the last 12 months' actuals
#: of each reported KPI, oldest first).
CONTRACTS = {
    "ONC": (
        "온누리컨택 상담 위탁 계약",
        date(2025, 12, 31),
        [Channel.PHONE, Channel.MESSENGER, Channel.CHAT],
        [
            kpi("response-rate", "응답률", target="90", tolerance="2",
                definition="인입된 전화 중 20초 안에 상담사가 응답한 비율 (IVR 이탈 제외)."),
            kpi("handling-time", "평균 처리 시간", Unit.SECONDS, Direction.LOWER, "300", "30",
                definition="통화 시간과 후처리 시간을 더한 건당 평균 (초)."),
            *_both_vendors_kpis(),
        ],
        {
            "response-rate": ["91.2", "92.4", "90.8", "93.1", "92.7", "91.5", "93.4", "92.0",
                              "90.6", "91.8", "86.4", "84.9"],
            "handling-time": ["318", "305", "297", "289", "292", "286", "281", "290", "284",
                              "279", "296", "301"],
            "csat": ["4.42", "4.51", "4.55", "4.58", "4.61", "4.57", "4.63", "4.60", "4.59",
                     "4.62", "4.48", "4.46"],
        },
    ),
    "HGCS": (
        "한결CS 채팅·이메일 위탁 계약",
        date(2026, 1, 31),
        [Channel.CHAT, Channel.EMAIL, Channel.PHONE],
        [
            kpi("chat-response", "채팅 응답률", target="92", tolerance="2",
                definition="채팅 인입 중 60초 안에 첫 응답한 비율."),
            kpi("email-time", "이메일 처리 시간", Unit.MINUTES, Direction.LOWER, "180", "20",
                definition="이메일 접수부터 답변 발송까지 걸린 시간의 평균 (업무 시간 기준, 분)."),
            *_both_vendors_kpis(),
        ],
        {
            "chat-response": ["89.5", "90.7", "91.9", "92.6", "93.3", "92.8", "94.1", "93.5",
                              "92.9", "94.0", "93.2", "93.8"],
            "email-time": ["236", "214", "197", "188", "176", "171", "182", "169", "165",
                           "172", "168", "163"],
            "csat": ["4.31", "4.38", "4.44", "4.49", "4.52", "4.55", "4.51", "4.57", "4.60",
                     "4.58", "4.61", "4.63"],
        },
    ),
}  # fmt: skip


def _notes(vendor_code, months):
    """(month, author's username, text) of the last reviews."""
    before, last = months[-2].start, months[-1].start
    if vendor_code == "ONC":
        return [
            (before, "onc-manager",
             f"{before.month}월 응답률 86.4%로 목표(90%) 미달. 11월 2일 부산 전화팀 투입을 앞두고 "
             "오픈 전 교육에 숙련 상담사가 빠진 영향. 다음 달부터 오전 피크(10~12시)에 4명을 "
             "보강하기로 합의."),
            (last, "nuri-manager",
             f"{last.month}월에도 응답률 84.9%로 2개월 연속 미달. 신규 팀 투입 후 첫 달 실적으로 "
             "회복을 확인하고, 다음 리뷰에서도 미달이면 온누리컨택이 개선 계획서를 제출하기로 함."),
            (last, "onc-manager",
             "교육 종료로 인력이 복귀함. 주간 응답률을 매주 월요일에 공유하겠습니다."),
        ]  # fmt: skip
    return [
        (before, "nuri-manager",
         f"{before.month}월 전 지표 달성. 이메일 처리 시간이 꾸준히 줄어 목표를 160분으로 "
         "낮추는 안을 검토하기로 함."),
        (last, "hgcs-manager",
         "12월 7일 서울 전화팀 투입에 맞춰 전화 응답률(목표 90%)을 계약 KPI에 추가하기로 합의. "
         "첫 달은 파일럿으로 보고만 함."),
    ]  # fmt: skip


def load_demo_contracts() -> int:
    """Both vendors' contracts with a year of actuals and their review notes; returns
    the contracts created (0 when they exist)."""
    created = 0
    months = complete_periods(Period.MONTH, today())
    users = {user.username: user for user in get_user_model().objects.all()}
    for vendor_code, (name, pilot_ends_on, channels, kpis, actuals) in CONTRACTS.items():
        vendor = Vendor.objects.get(code=vendor_code)
        contract = Contract.objects.filter(vendor=vendor, name=name).first()
        if contract is None:
            contract = make_contract(
                vendor,
                [kpi(row.code, row.name, row.unit, row.direction, str(row.target),
                     str(row.tolerance), row.period, definition=row.definition,
                     measure=row.measure) for row in kpis],
                name=name,
                starts_on=STARTS_ON,
                pilot_ends_on=pilot_ends_on,
            )  # fmt: skip
            contract.channels.set(Channel.objects.filter(code__in=channels))
            created += 1
        by_code = {row.code: row for row in contract.kpis.all()}
        rows = [
            (by_code[code], period_label(month.start, Period.MONTH), value)
            for code, values in actuals.items()
            for month, value in zip(months, values, strict=True)
            if month.start >= STARTS_ON
        ]
        lines = [Line(number, *row) for number, row in enumerate(rows, start=1)]
        outcome = record_actuals(lines, source=Source.PUSHED, vendor=vendor)
        if not outcome.ok:
            raise RuntimeError(f"demo actuals for {vendor_code} are invalid: {outcome.errors[:3]}")
        if not ReviewNote.objects.filter(contract=contract).exists():
            for month, username, text in _notes(vendor_code, months):
                ReviewNote.objects.create(
                    contract=contract,
                    period_start=month,
                    text=text,
                    author=users.get(username),
                )
    return created
