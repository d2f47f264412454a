"""The idle timeout of shared PCs on a contact-centre floor, without a write per request.

A session ends after ``SESSION_IDLE_SECONDS`` without a request. Saving the session on
every request (``SESSION_SAVE_EVERY_REQUEST``) would push its expiry forward each time,
at the cost of an UPDATE and a commit on every page view. Instead a signed-in session is
saved at most once per ``SESSION_REFRESH_SECONDS``, and its stored expiry is that much
longer than the idle timeout: a session always lasts at least the idle timeout after the
last request, and at most one refresh interval more.
"""

import time
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.utils import timezone

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


def sign_out_everywhere(user_ids: Iterable[int]) -> int:
    """End every live session of these users, on whatever PC or phone; returns how many.

    A deactivated account is already refused on its next request (Django's backend loads
    no inactive user); this also takes its session data away at once. Sessions are
    stored signed and encoded, so each live one is read: there are as many as people
    signed in within the idle timeout, not as many as there are people.
    """
    wanted = {str(pk) for pk in user_ids}
    if not wanted:
        return 0
    ended = []
    store = Session.get_session_store_class()()
    live = Session.objects.filter(expire_date__gte=timezone.now())
    for key, data in live.values_list("session_key", "session_data").iterator(chunk_size=2000):
        if str(store.decode(data).get(SESSION_KEY)) in wanted:
            ended.append(key)
    for start in range(0, len(ended), 1000):
        Session.objects.filter(session_key__in=ended[start : start + 1000]).delete()
    return len(ended)
