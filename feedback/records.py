"""Feedback handed over at a contract's end: what the vendor's agents raised, and the
answers they were given."""

from django.db.models import F

from portal.records import agent_values, chunked, register_records

from .models import FeedbackItem


@register_records(
    "feedback",
    columns=[
        "id", "agent_id", "employee_number", "page_id", "page_title", "revision_id",
        "lesson_id", "kind", "text", "customer_quote", "status", "reply", "created_at",
        "answered_at", "resolved_by_revision_id", "resolved_by_notice_id",
    ],
)  # fmt: skip
def feedback(vendor_id: int):
    # The caller has decided the vendor may be exported (portal.records).
    return chunked(
        FeedbackItem.objects.unscoped()
        .filter(agent__vendor_id=vendor_id)
        .order_by("pk")
        .values(
            "id", "agent_id", "page_id", "revision_id", "lesson_id", "kind", "text",
            "customer_quote", "status", "reply", "created_at", "answered_at",
            "resolved_by_revision_id", "resolved_by_notice_id", page_title=F("page__title"),
            **agent_values(),
        )
    )  # fmt: skip
