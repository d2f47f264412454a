"""Contracts and KPIs in code, as tests (and a demo) make them; the 3-to-5 rule applies
here as in the admin (``Contract.check_kpis``)."""

from datetime import date
from decimal import Decimal

from django.db import transaction

from .models import Contract, Direction, Kpi, Unit
from .periods import Period

#: Five KPIs of a typical customer-centre agreement.
STANDARD_KPIS = [
    ("response-rate", "응답률", Unit.PERCENT, Direction.HIGHER, "90", "2", Period.MONTH),
    ("handling-time", "평균 처리 시간", Unit.SECONDS, Direction.LOWER, "300", "30", Period.MONTH),
    ("csat", "고객 만족도", Unit.SCORE, Direction.HIGHER, "4.5", "0.2", Period.MONTH),
    ("fcr", "1차 해결률", Unit.PERCENT, Direction.HIGHER, "80", "5", Period.WEEK),
]


def kpi(code, name, unit=Unit.PERCENT, direction=Direction.HIGHER, target="90", tolerance="2",
        period=Period.MONTH, **more) -> Kpi:  # fmt: skip
    return Kpi(
        code=code,
        name=name,
        definition=more.pop("definition", f"{name}의 정의"),
        unit=unit,
        direction=direction,
        target=Decimal(target),
        tolerance=Decimal(tolerance),
        period=period,
        **more,
    )


def make_contract(vendor, kpis=None, *, name=None, starts_on=date(2026, 1, 1), **fields):
    """A contract of ``vendor`` with ``kpis`` (unsaved ``Kpi``s; the standard four by
    default), checked and saved in one go."""
    contract = Contract(
        vendor=vendor, name=name or f"{vendor.name} 상담 위탁 계약", starts_on=starts_on, **fields
    )
    contract.kpis = kpis if kpis is not None else [kpi(*row) for row in STANDARD_KPIS]
    contract.full_clean()
    contract.check_kpis()
    with transaction.atomic():
        contract.save()
    return contract
