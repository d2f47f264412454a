"""The clock stopped at a moment, for records stamped when they are made: an append-only
row (a decision, an acknowledgement) cannot be back-dated afterwards."""

from contextlib import contextmanager
from datetime import datetime
from unittest import mock
from zoneinfo import ZoneInfo

SEOUL = ZoneInfo("Asia/Seoul")


def seoul(*args) -> datetime:
    """A moment on the portal's clock: ``seoul(2026, 3, 31, 23, 59)``."""
    return datetime(*args, tzinfo=SEOUL)


@contextmanager
def stopped_at(moment: datetime):
    """``timezone.now()`` answers ``moment`` inside the block."""
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield
