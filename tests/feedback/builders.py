"""Feedback items for tests, raised and answered as agents and owners would."""

from django.utils import timezone

from feedback.models import Status
from feedback.raising import raise_feedback


def raise_on(page, agent, text="환불 기간이 헷갈립니다.", kind="unclear", **fields):
    return raise_feedback(agent, page.specific, kind=kind, text=text, **fields)


def resolve(item, *, revision=None, notice=None, reply="반영했습니다."):
    """Done, with what resolved it: credited to the agent and their vendor."""
    item.status = Status.DONE
    item.reply = reply
    item.resolved_by_revision = revision
    item.resolved_by_notice = notice
    item.answered_at = timezone.now()
    item.save()
    return item
