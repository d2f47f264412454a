"""Housekeeping of sign-in state: expired sessions, failed sign-ins that no longer count."""

from axes.models import AccessAttempt
from celery import shared_task
from django.conf import settings
from django.contrib.sessions.models import Session
from django.utils import timezone


@shared_task(name="accounts.clear_expired_sessions")
def clear_expired_sessions() -> int:
    deleted, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    return deleted


@shared_task(name="accounts.forget_expired_sign_in_failures")
def forget_expired_sign_in_failures() -> int:
    """Failed sign-ins (an account and an address) are kept no longer than they count.

    django-axes clears them only when the next failure comes in, which may be never.
    """
    expired = timezone.now() - settings.AXES_COOLOFF_TIME
    deleted, _ = AccessAttempt.objects.filter(attempt_time__lte=expired).delete()
    return deleted
