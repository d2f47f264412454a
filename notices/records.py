"""Change notices' records handed over at a contract's end: who was sent which version
(deliveries) and who confirmed it (acknowledgements, each with its audit proof)."""

from django.db.models import F

from portal.records import (
    agent_values,
    chunked,
    personal_values,
    proof_values,
    register_records,
)

from .models import Acknowledgement, Delivery


@register_records(
    "acknowledgements",
    columns=[
        "id", "agent_id", "employee_number", "notice_id", "notice_title", "version_number",
        "seen_version_number", "revision_id", "content_hash", "statement", "answers",
        "acknowledged_at", "on_time", "ip_address", "user_agent",
    ],
    attested=True,
)  # fmt: skip
def acknowledgements(vendor_id: int):
    # The caller has decided the vendor may be exported (portal.records).
    return chunked(
        Acknowledgement.objects.unscoped()
        .filter(agent__vendor_id=vendor_id)
        .order_by("pk")
        .values(
            "id", "agent_id", "notice_id", "revision_id", "content_hash", "statement",
            "answers", "acknowledged_at", "on_time", "audit_record_id",
            notice_title=F("notice__title"), version_number=F("version__number"),
            seen_version_number=F("seen_version__number"), **agent_values(), **proof_values(),
            **personal_values(),
        )
    )  # fmt: skip


@register_records(
    "deliveries",
    columns=[
        "id", "agent_id", "employee_number", "notice_id", "version_number", "created_at", "read_at",
        "email_status", "emailed_at",
    ],
)  # fmt: skip
def deliveries(vendor_id: int):
    return chunked(
        Delivery.objects.unscoped()
        .filter(agent__vendor_id=vendor_id)
        .order_by("pk")
        .values(
            "id", "agent_id", "notice_id", "created_at", "read_at", "email_status",
            "emailed_at", version_number=F("version__number"), **agent_values(),
        )
    )  # fmt: skip
