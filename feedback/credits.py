"""Credit where it is due: feedback a revision or a notice resolved, for the agent's home
and, per vendor, for the people who look after agents; and counts by status."""

from django.db.models import Count

from portal.visibility import visible_page_ids

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


def with_shown_notices(user, items) -> list:
    """``items`` as a list, each with ``shown_notice``: the notice that resolved it when
    ``user`` may read that notice, else None. A notice once chosen may have been for
    another audience, or unpublished since; its title is not for every reader."""
    items = list(items)
    readable = visible_page_ids(user, {item.resolved_by_notice_id for item in items})
    for item in items:
        notice_id = item.resolved_by_notice_id
        item.shown_notice = item.resolved_by_notice if notice_id in readable else None
    return items


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
