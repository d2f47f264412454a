"""Celery tasks for feedback. Each takes ids and can run twice without harm."""

from celery import shared_task
from django.core.mail import get_connection
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from knowledge.verification import client_managers
from portal.mail import personal_email, site_url
from portal.organisation.scoping import system_scope

from .models import FeedbackItem


@shared_task(name="feedback.tell_agents", acks_late=True)
@system_scope("an agent is told of an answer to their own feedback")
def tell_agents(item_ids: list[int]) -> int:
    """Email each agent the answers not yet emailed. Rows are claimed before sending (the
    run whose timestamp lands on them sends), so a repeated task sends nothing twice."""
    now = timezone.now()
    unsent = Q(emailed_at__isnull=True) | Q(emailed_at__lt=F("answered_at"))
    claimed = FeedbackItem.objects.filter(pk__in=item_ids, answered_at__isnull=False).filter(unsent)
    if not claimed.update(emailed_at=now):
        return 0
    items = (
        FeedbackItem.objects.filter(pk__in=item_ids, emailed_at=now)
        .select_related("agent__user", "page")
        .order_by("pk")
    )
    url = site_url(reverse("feedback:mine"))
    messages = [
        personal_email(
            item.agent.user,
            "feedback/email/answered",
            {"item": item, "page_title": item.page.title, "url": url},
        )
        for item in items
        # Someone who has left (or whose vendor was off-boarded) hears nothing more;
        # the answer still shows in the portal, should they come back.
        if item.agent.user.email and item.agent.user.is_active
    ]
    if messages:
        get_connection().send_messages(messages)
    return len(messages)


@shared_task(name="feedback.tell_owner", acks_late=True)
@system_scope("whoever answers for a page hears of feedback from any vendor's agent")
def tell_owner(item_id: int) -> int:
    """Email the item's owner, or every client manager when it has none (or they cannot
    be reached), once: the row is claimed before sending."""
    now = timezone.now()
    if not FeedbackItem.objects.filter(pk=item_id, owner_told_at__isnull=True).update(
        owner_told_at=now
    ):
        return 0
    item = FeedbackItem.objects.select_related("owner", "page", "agent__vendor").get(pk=item_id)
    owner = item.owner
    recipients = (
        [owner]
        if owner is not None and owner.is_active and owner.email
        else list(client_managers().exclude(email=""))
    )
    context = {
        "item": item,
        "page_title": item.page.title,
        "lesson_title": item.lesson_title,
        "vendor": item.agent.vendor.name,
        "url": site_url(reverse("wagtailsnippets_feedback_feedbackitem:edit", args=[item.pk])),
    }
    messages = [personal_email(user, "feedback/email/raised", context) for user in recipients]
    if messages:
        get_connection().send_messages(messages)
    return len(messages)
