"""Pages that records point to (acknowledged notices, taken courses, policies agents
decided under) are unpublished, not deleted: the one refusal behind each app's
``before_delete_page`` hook."""

from django.contrib import messages
from django.shortcuts import redirect
from wagtail.models import Page


def refuse_deleting_records(request, page, records, field: str, message):
    """The admin's answer refusing to delete ``page`` when one of ``records`` points, by
    ``field``, at it or at a page under it (deleting a section deletes its pages too);
    None when nothing does."""
    pages = Page.objects.descendant_of(page, inclusive=True).values("pk")
    if not records.filter(**{f"{field}__in": pages}).exists():
        return None
    messages.error(request, message)
    return redirect("wagtailadmin_pages:edit", page.pk)
