from celery import shared_task
from django.contrib.sessions.models import Session
from django.utils import timezone

from .throttling import purge_old_failures


@shared_task(name="accounts.clear_expired_sessions")
def clear_expired_sessions() -> int:
    deleted, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    return deleted


@shared_task(name="accounts.purge_old_login_failures")
def purge_old_login_failures() -> int:
    return purge_old_failures()
