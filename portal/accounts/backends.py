"""The sign-in throttle: django-axes, in front of Django's model backend.

Every way in (the portal login and the Wagtail admin login) authenticates through
``django.contrib.auth.authenticate`` with its request, so both are throttled alike.
"""

from axes.backends import AxesStandaloneBackend


class SignInThrottle(AxesStandaloneBackend):
    """Refuses an account from an address after too many failed sign-ins from there.

    Counting is per account and address (``AXES_LOCKOUT_PARAMETERS``), so a flood of
    guesses from one place cannot lock the real person out from theirs.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        # Only a request has an address to count against. The sign-in forms always pass
        # theirs; what authenticates without one (the test client's login()) is not a way
        # in from outside, and is left to the model backend.
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
