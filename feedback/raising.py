"""Raising feedback: on which pages an agent may, and the one operation that records it.

Feedback is taken on what agents read to answer customers: answer policies, articles,
change notices and the lessons of a course. Whether the agent may see the page is
``portal.visibility``'s one check; the agent is always the signed-in person.
"""

from django.db import transaction
from django.utils.translation import gettext as _
from wagtail.models import Page

from knowledge.models import AnswerPolicyPage, ArticlePage
from knowledge.verification import responsible_owner
from notices.models import ChangeNoticePage
from portal.queueing import queue
from portal.visibility import can_see_page
from training.models import CoursePage

from . import tasks
from .models import FeedbackItem

#: The page types feedback is taken on (a course: on one of its lessons).
PAGE_TYPES = (AnswerPolicyPage, ArticlePage, ChangeNoticePage, CoursePage)


class FeedbackRefused(Exception):
    """The feedback cannot be taken; the message says why, to the agent."""


def takes_feedback(page) -> bool:
    return isinstance(page, PAGE_TYPES)


def page_for_feedback(user, page_id):
    """The specific page ``user`` may raise feedback on, or None: a page that does not
    exist, takes no feedback or is hidden from them are all alike to them."""
    page = Page.objects.filter(pk=page_id).first()
    if page is None or not can_see_page(user, page):
        return None
    page = page.specific
    return page if takes_feedback(page) else None


def raise_feedback(
    profile, page, *, kind, text, customer_quote="", lesson_id="", tell_owner=True
) -> FeedbackItem:
    """Record what ``profile`` raised on ``page`` (already checked visible to them), with
    the revision they were reading and the person who answers for the page, and email
    them; ``tell_owner=False``: feedback made up for a demo is nobody's news."""
    is_course = isinstance(page, CoursePage)
    if is_course and (not lesson_id or page.lesson_block(lesson_id) is None):
        raise FeedbackRefused(_("Choose the lesson your feedback is about."))
    if not is_course and lesson_id:
        raise FeedbackRefused(_("Only a course has lessons."))
    owner = responsible_owner(page)
    item = FeedbackItem.objects.create(
        agent=profile,
        page=page,
        revision_id=page.live_revision_id,
        lesson_id=lesson_id,
        kind=kind,
        text=text,
        customer_quote=customer_quote,
        owner=owner,
    )
    if tell_owner:
        transaction.on_commit(
            lambda: queue(tasks.tell_owner, item.pk, catches_up="the review queue, where it waits")
        )
    return item
