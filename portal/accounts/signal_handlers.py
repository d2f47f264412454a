from django.contrib.auth.signals import user_login_failed
from django.dispatch import receiver

from .throttling import record_failure


@receiver(user_login_failed, dispatch_uid="accounts.record_login_failure")
def record_login_failure(sender, credentials, request=None, **kwargs):
    ip_address = request.META.get("REMOTE_ADDR") if request is not None else None
    record_failure(credentials.get("username"), ip_address)
