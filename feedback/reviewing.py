"""Answering feedback: a status and a reply, one item at a time or many at once; the
agent hears of every change (in the portal, and by email once it has committed)."""

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from portal.queueing import queue

from . import tasks
from .models import FeedbackItem, Status


def answer(item: FeedbackItem, *, changed: bool) -> FeedbackItem:
    """Save the owner's answer to ``item``; ``changed``: its status or reply changed."""
    if changed:
        item.answered_at = timezone.now()
    item.save()
    if changed:
        tell_agents([item.pk])
    return item


def set_status(items, status: str) -> int:
    """Give ``items`` (a scoped queryset) ``status``; those already in it are left
    untouched, so their agents are not told again. Returns how many changed."""
    changing = list(items.filter(~Q(status=status)).values_list("pk", flat=True))
    if changing:
        fields = {"status": status, "answered_at": timezone.now()}
        if status != Status.DONE:
            # Only what is done was resolved: links kept past it would withdraw nothing
            # from the credit, and the item's form would refuse every later answer.
            fields |= {"resolved_by_revision": None, "resolved_by_notice": None}
        FeedbackItem.objects.filter(pk__in=changing).update(**fields)
        tell_agents(changing)
    return len(changing)


def tell_agents(item_ids: list[int]) -> None:
    """Email the agents once the answer has committed; a broker that is down loses only
    the email, never the in-portal news (``FeedbackItem.is_news``)."""
    transaction.on_commit(
        lambda: queue(tasks.tell_agents, list(item_ids), catches_up="the agent's My feedback")
    )
