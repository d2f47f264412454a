"""Pages that records point to (acknowledged notices, taken courses, policies agents
decided under) are unpublished, not deleted.

Each app names its records once (``keep_pages_with``); the one refusal here answers every
way the admin deletes pages: a page's own delete view, and the bulk delete of a listing's
selection. Deleting a section deletes its pages too, so the pages under each one count.
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.contrib import messages
from django.db.models import Q, QuerySet
from django.shortcuts import redirect
from wagtail import hooks
from wagtail.models import Page


@dataclass(frozen=True)
class KeptRecords:
    #: The records, every vendor's: any of them keeps the page, whoever deletes it.
    records: Callable[[], QuerySet]
    #: The records' field pointing at the page.
    field: str
    message: str


_kept: list[KeptRecords] = []


def keep_pages_with(records: Callable[[], QuerySet], field: str, message) -> None:
    """Refuse deleting a page (or a page above it) that one of ``records()`` points at
    by ``field``, saying ``message``."""
    _kept.append(KeptRecords(records, field, message))


def kept_because(pages: list[Page]) -> str | None:
    """Why ``pages``, with the pages under them, may not be deleted; None if they may."""
    if not pages:
        return None
    under = Page.objects.filter(
        reduce(or_, (Q(path__startswith=page.path) for page in pages))
    ).values("pk")
    for kept in _kept:
        if kept.records().filter(**{f"{kept.field}__in": under}).exists():
            return kept.message
    return None


@hooks.register("before_delete_page")
def refuse_deleting_kept_page(request, page):
    if (message := kept_because([page])) is None:
        return None
    messages.error(request, message)
    return redirect("wagtailadmin_pages:edit", page.pk)


@hooks.register("before_bulk_action")
def refuse_bulk_deleting_kept_pages(request, action_type, objects, action):
    pages = [obj for obj in objects if isinstance(obj, Page)]
    if action_type != "delete" or (message := kept_because(pages)) is None:
        return None
    messages.error(request, message)
    return redirect(action.next_url)
