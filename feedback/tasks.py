"""Celery tasks for feedback. Each takes ids and can run twice without harm."""

from celery import shared_task
from django.core.mail import get_connection
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

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
        if item.agent.user.email
    ]
    if messages:
        get_connection().send_messages(messages)
    return len(messages)
