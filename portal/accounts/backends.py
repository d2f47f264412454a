"""The authentication backend: Django's model backend behind the sign-in throttle.

Every way in (portal login, Wagtail admin login, password change) authenticates
through here, so the throttle cannot be bypassed by choosing another login form.
"""

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied

from .throttling import is_throttled


class ThrottledModelBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(self._username_field())
        if is_throttled(username):
            # PermissionDenied stops Django trying other backends and counts as a failure.
            raise PermissionDenied("too many failed sign-ins")
        return super().authenticate(request, username=username, password=password, **kwargs)

    @staticmethod
    def _username_field():
        from django.contrib.auth import get_user_model

        return get_user_model().USERNAME_FIELD
