"""Credit where it is due: feedback a revision or a notice resolved, for the agent's home
and, per vendor, for the people who look after agents; and counts by status."""

from django.db.models import Count

from .models import FeedbackItem, Status


def credited(user):
    """The credited items ``user`` may see (an agent: their own), newest first, with
    everything a list shows in the same query."""
    return (
        FeedbackItem.objects.for_user(user)
        .credited()
        .select_related("agent__user", "agent__vendor", "agent__team", "page", "resolved_by_notice")
        .order_by("-answered_at", "-pk")
    )


def counts_by_status(user) -> dict[str, int]:
    """How many items ``user`` may see are in each status, every status named."""
    rows = (
        FeedbackItem.objects.for_user(user)
        .order_by()
        .values_list("status")
        .annotate(count=Count("pk"))
    )
    counts = dict.fromkeys(Status.values, 0)
    counts.update(dict(rows))
    return counts


def status_rows(counts: dict[str, int]) -> list[tuple[str, int]]:
    """``counts`` labelled, in the order of the statuses."""
    return [(label, counts[value]) for value, label in Status.choices]
