"""Sign-in throttling per account: after too many failures within the window, refuse.

Counted per account name, not per address, because agents share the floor's few
public IP addresses; the limit is high enough that a person who mistypes is never
locked out, and low enough that guessing a password is hopeless.
"""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from .models import LoginFailure


def username_key(username: str | None) -> str:
    return (username or "").strip().lower()[:150]


def window_start():
    return timezone.now() - timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)


def is_throttled(username: str | None) -> bool:
    key = username_key(username)
    if not key:
        return False
    recent = LoginFailure.objects.filter(username_key=key, failed_at__gte=window_start())
    return recent.count() >= settings.LOGIN_FAILURE_LIMIT


def record_failure(username: str | None, ip_address: str | None = None) -> None:
    key = username_key(username)
    if key:
        LoginFailure.objects.create(username_key=key, ip_address=ip_address or None)


def purge_old_failures() -> int:
    deleted, _ = LoginFailure.objects.filter(failed_at__lt=window_start()).delete()
    return deleted
