"""KPI actuals handed over at a contract's end: what each promise of the vendor's
contracts came to, period by period, and where each figure came from; and what both
sides agreed at each monthly review."""

from django.db.models import F

from portal.records import chunked, register_records

from .models import KpiActual, ReviewNote


@register_records(
    "kpi_actuals",
    columns=[
        "id", "contract_id", "contract_name", "kpi_code", "kpi_name", "unit", "target",
        "period_kind", "period_start", "value", "source", "recorded_at", "note",
    ],
)  # fmt: skip
def kpi_actuals(vendor_id: int):
    # The caller has decided the vendor may be exported (portal.records).
    return chunked(
        KpiActual.objects.unscoped()
        .filter(kpi__contract__vendor_id=vendor_id)
        .order_by("pk")
        .values(
            "id", "period_start", "value", "source", "recorded_at", "note",
            contract_id=F("kpi__contract_id"), contract_name=F("kpi__contract__name"),
            kpi_code=F("kpi__code"), kpi_name=F("kpi__name"), unit=F("kpi__unit"),
            target=F("kpi__target"), period_kind=F("kpi__period"),
        )
    )  # fmt: skip


@register_records(
    "review_notes",
    columns=[
        "id", "contract_id", "contract_name", "period_start", "text", "author_name",
        "created_at",
    ],
)  # fmt: skip
def review_notes(vendor_id: int):
    """What both sides agreed at each monthly review, as written."""
    return chunked(
        ReviewNote.objects.unscoped()
        .filter(contract__vendor_id=vendor_id)
        .order_by("pk")
        .values(
            "id", "contract_id", "period_start", "text", "created_at",
            contract_name=F("contract__name"), author_name=F("author__name"),
        )
    )  # fmt: skip
