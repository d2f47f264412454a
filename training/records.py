"""Training's records handed over at a contract's end: each agent's course results,
quiz attempts, and go-live sign-offs (each with its audit proof)."""

from django.db.models import F

from portal.records import (
    agent_values,
    chunked,
    personal_values,
    proof_values,
    register_records,
)

from .models import CourseProgress, QuizAttempt, SignOff


@register_records(
    "course_results",
    columns=[
        "id", "agent_id", "employee_number", "course_id", "course_title", "started_at",
        "lessons_done", "lessons_total", "quiz_passed", "best_score", "completed_version",
        "completed_at",
    ],
)  # fmt: skip
def course_results(vendor_id: int):
    # The caller has decided the vendor may be exported (portal.records).
    return chunked(
        CourseProgress.objects.unscoped()
        .filter(agent__vendor_id=vendor_id)
        .order_by("pk")
        .values(
            "id", "agent_id", "course_id", "started_at", "lessons_done", "lessons_total",
            "quiz_passed", "best_score", "completed_version", "completed_at",
            course_title=F("course__title"), **agent_values(),
        )
    )  # fmt: skip


@register_records(
    "quiz_attempts",
    columns=[
        "id", "agent_id", "employee_number", "course_id", "course_title", "version_number",
        "quiz_version", "correct", "total", "score", "passed", "started_at", "submitted_at",
    ],
)  # fmt: skip
def quiz_attempts(vendor_id: int):
    return chunked(
        QuizAttempt.objects.unscoped()
        .filter(agent__vendor_id=vendor_id)
        .order_by("pk")
        .values(
            "id", "agent_id", "course_id", "quiz_version", "correct", "total", "score",
            "passed", "started_at", "submitted_at", course_title=F("course__title"),
            version_number=F("version__number"), **agent_values(),
        )
    )  # fmt: skip


@register_records(
    "sign_offs",
    columns=[
        "id", "agent_id", "employee_number", "signed_by_id", "signed_by_name", "statement",
        "signed_at", "ip_address", "user_agent",
    ],
    attested=True,
)  # fmt: skip
def sign_offs(vendor_id: int):
    return chunked(
        SignOff.objects.unscoped()
        .filter(agent__vendor_id=vendor_id)
        .order_by("pk")
        .values(
            "id", "agent_id", "statement", "signed_at", "audit_record_id",
            "signed_by_id", signed_by_name=F("signed_by__name"),
            **agent_values(), **proof_values(), **personal_values(),
        )
    )  # fmt: skip
