"""The idle timeout of shared PCs on a contact-centre floor, without a write per request.

A session ends after ``SESSION_IDLE_SECONDS`` without a request. Saving the session on
every request (``SESSION_SAVE_EVERY_REQUEST``) would push its expiry forward each time,
at the cost of an UPDATE and a commit on every page view. Instead a signed-in session is
saved at most once per ``SESSION_REFRESH_SECONDS``, and its stored expiry is that much
longer than the idle timeout: a session always lasts at least the idle timeout after the
last request, and at most one refresh interval more.
"""

import time

from django.conf import settings
from django.contrib.auth import SESSION_KEY

REFRESHED_AT = "_idle_refreshed_at"


class IdleTimeoutMiddleware:
    """After ``SessionMiddleware`` (its answer runs first): marks a signed-in session
    modified when it was last saved a refresh interval ago or more."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is None or SESSION_KEY not in session:
            return response
        now = int(time.time())
        if (
            session.modified
            or now - session.get(REFRESHED_AT, 0) >= settings.SESSION_REFRESH_SECONDS
        ):
            session[REFRESHED_AT] = now
        return response
