"""The sign-in throttle: django-axes, in front of Django's model backend.

Every way in (the portal login and the Wagtail admin login) authenticates through
``django.contrib.auth.authenticate`` with its request, so both are throttled alike.
"""

from datetime import timedelta

from axes.backends import AxesStandaloneBackend
from axes.exceptions import AxesBackendPermissionDenied
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.utils import timezone


class SignInThrottle(AxesStandaloneBackend):
    """Refuses an account from an address after too many failed sign-ins from there.

    Counting is per account and address (``AXES_LOCKOUT_PARAMETERS``), so a flood of
    guesses from one place cannot lock the real person out from theirs. Guesses spread
    over many addresses meet a ceiling per account (``LOGIN_ACCOUNT_FAILURE_CEILING``,
    far above what one address may try), so no number of addresses buys unlimited tries.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        # Only a request has an address to count against. The sign-in forms always pass
        # theirs; what authenticates without one (the test client's login()) is not a way
        # in from outside, and is left to the model backend.
        if request is None:
            return None
        if username and account_ceiling_reached(username):
            request.axes_locked_out = True
            raise AxesBackendPermissionDenied("too many failed sign-ins to this account")
        return super().authenticate(request, username=username, password=password, **kwargs)


def account_ceiling_reached(username: str) -> bool:
    since = timezone.now() - timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)
    failures = AccessAttempt.objects.filter(username=username, attempt_time__gte=since).aggregate(
        total=Sum("failures_since_start")
    )["total"]
    return (failures or 0) >= settings.LOGIN_ACCOUNT_FAILURE_CEILING
