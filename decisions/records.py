"""Decisions handed over at a contract's end, each with its audit proof. The reference
is masked as in every page and export (``mask``); the customer, never stored, is not
named, and neither is its keyed hash, which only this portal's key could read."""

from django.db.models import F

from portal.records import (
    agent_values,
    chunked,
    personal_values,
    proof_values,
    register_records,
)

from .models import Decision, mask


@register_records(
    "decisions",
    columns=[
        "id", "agent_id", "employee_number", "policy_id", "policy_title",
        "policy_revision_id", "channel", "amount_krw", "reference", "note", "outcome",
        "refusal", "statement", "decided_at", "ip_address", "user_agent",
    ],
    attested=True,
)  # fmt: skip
def decisions(vendor_id: int):
    # The caller has decided the vendor may be exported (portal.records).
    rows = chunked(
        Decision.objects.unscoped()
        .filter(agent__vendor_id=vendor_id)
        .order_by("pk")
        .values(
            "id", "agent_id", "policy_id", "policy_revision_id", "channel", "amount_krw",
            "reference", "note", "outcome", "refusal", "statement", "decided_at",
            "audit_record_id", policy_title=F("policy__title"),
            **agent_values(), **proof_values(), **personal_values(),
        )
    )  # fmt: skip
    for row in rows:
        row["reference"] = mask(row["reference"])
        yield row
