"""Owners and review dates: Guru's "verified cards" for knowledge pages.

Every knowledge page has a content owner (client staff) and a review interval. A page
is verified when it is published, by its publisher (``record_publish``), and when its
owner or a publisher confirms that it is still true without changing it (``verify``);
neither makes a revision. Its review falls due ``review_interval_days`` later
(``KnowledgePage.review_due``).

Once a day (beat, ``KNOWLEDGE_REVIEW_REMINDER_HOUR``) each owner gets one email listing
their pages due or overdue, once per page and due date: a ``ReviewReminder`` row, unique
per (page, due date), is written and claimed before its email is sent, so a repeated
or doubled beat sends nothing twice. A page without an owner, or whose owner has left
or has no address, is listed to every client manager instead, so that someone chooses
an owner for it.
"""

import logging
from collections import defaultdict
from datetime import datetime, time, timedelta

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.mail import get_connection
from django.db.models import Case, DateTimeField, F, When
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from wagtail.log_actions import get_active_log_context, log
from wagtail.models import Page, PageLogEntry

from portal.mail import personal_email, site_url
from portal.organisation.roles import Role

from .models import KnowledgeIndexPage, KnowledgePage, ReviewReminder

logger = logging.getLogger(__name__)

#: The page history's name for a verification (registered in ``wagtail_hooks``).
VERIFY_ACTION = "knowledge.verify"


def knowledge_models() -> list[type[KnowledgePage]]:
    """The concrete knowledge page types (sections, articles, the vision, policies)."""
    return [model for model in apps.get_models() if issubclass(model, KnowledgePage)]


def client_staff():
    """Who may own a page: the users ``KnowledgePage.content_owner`` offers."""
    limit = KnowledgePage._meta.get_field("content_owner").remote_field.limit_choices_to
    return get_user_model().objects.filter(pk__in=get_user_model().objects.filter(limit))


def client_managers():
    """Who answers for a page nobody owns: every client manager."""
    return client_staff().filter(groups__name=Role.CLIENT_MANAGER.value)


def responsible_owner(page):
    """Who answers for ``page``: its content owner, else that of the nearest section
    above it that has one, else ``None`` (then ``client_managers`` answer). Pages with
    no owner field (notices, courses) have no knowledge section above them: ``None``."""
    owner_id = getattr(page, "content_owner_id", None)
    if owner_id is None:
        owner_id = (
            KnowledgeIndexPage.objects.ancestor_of(page)
            .filter(content_owner__isnull=False)
            .order_by("-depth")
            .values_list("content_owner_id", flat=True)
            .first()
        )
    if owner_id is None:
        return None
    # One who has left answers for nothing: the client managers do.
    return client_staff().filter(pk=owner_id, is_active=True).first()


# --- verifying --------------------------------------------------------------------------


def can_verify(user, page) -> bool:
    """The page's owner, or anyone who may publish it, may say it is still true."""
    if not isinstance(page, KnowledgePage) or not user.is_authenticated:
        return False
    if page.content_owner_id is not None and page.content_owner_id == user.pk:
        return True
    return page.permissions_for_user(user).can_publish()


def verify(page: KnowledgePage, user, at=None) -> None:
    """Record that ``user`` confirmed ``page`` is still true, without a new revision."""
    at = at or timezone.now()
    _mark(page, at, user.pk)
    page.verified_by = user
    log(instance=page, action=VERIFY_ACTION, user=user)


def record_publish(page: KnowledgePage, revision) -> None:
    """Publishing is verifying: by its publisher, at the moment the page went live."""
    _mark(page, page.last_published_at or timezone.now(), publisher_id(revision))


def _mark(page, at, user_id) -> None:
    # ``update()``, not ``save()``: verifying changes nothing in the content, so it makes
    # no revision and writes no other column.
    type(page)._default_manager.filter(pk=page.pk).update(verified_at=at, verified_by_id=user_id)
    page.verified_at, page.verified_by_id = at, user_id


def publisher_id(revision):
    """Who published: the admin user Wagtail acts for (a direct publish or a workflow's
    approval), else, for a scheduled publish going live, whoever scheduled it, else the
    revision's author."""
    user = get_active_log_context().user
    if user is not None and user.is_authenticated:
        return user.pk
    if revision is None:
        return None
    scheduled_by = (
        PageLogEntry.objects.filter(
            revision=revision, action="wagtail.publish.schedule", user__isnull=False
        )
        .order_by("-timestamp")
        .values_list("user_id", flat=True)
        .first()
    )
    return scheduled_by or revision.user_id


# --- review dates -----------------------------------------------------------------------


def across(field: str, via: str = ""):
    """``field`` of a knowledge page from a ``Page`` (``via="page__"``: a row's page):
    the abstract base's columns live in each page type's own table."""
    return Coalesce(*(f"{via}{model._meta.model_name}__{field}" for model in knowledge_models()))


def review_due_expression(base: str = "review_base", interval: str = "review_interval"):
    # One branch per interval offered: date plus a constant works alike on every database.
    return Case(
        *(
            When(**{interval: days}, then=F(base) + timedelta(days=days))
            for days in KnowledgePage.ReviewInterval.values
        ),
        output_field=DateTimeField(),
    )


def review_pages(today=None):
    """Live knowledge pages agents can read, as a ``Page`` queryset annotated with
    ``review_owner_id``, ``review_owner_name`` (the free-text owner), ``review_interval``,
    ``review_verified_at``, ``review_verified_by_id``, ``review_base`` (last verified,
    or published) and ``review_due_at``."""
    today = today or timezone.localdate()
    content_types = ContentType.objects.get_for_models(*knowledge_models()).values()
    return (
        Page.objects.filter(content_type__in=[ct.pk for ct in content_types], live=True)
        # A policy past its effective period is no longer shown: nothing to review.
        .exclude(answerpolicypage__effective_until__lt=today)
        .annotate(
            review_owner_id=across("content_owner"),
            review_owner_name=across("owner_name"),
            review_interval=across("review_interval_days"),
            review_verified_at=across("verified_at"),
            review_verified_by_id=across("verified_by"),
        )
        .annotate(review_base=Coalesce("review_verified_at", "last_published_at"))
        .annotate(review_due_at=review_due_expression())
    )


def end_of_day(day):
    """The first instant after ``day`` in the local time zone."""
    return timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))


def days_overdue(due_at, today=None) -> int:
    today = today or timezone.localdate()
    return (today - timezone.localdate(due_at)).days


# --- reminders --------------------------------------------------------------------------


def send_review_reminders(now=None) -> int:
    """Email each owner their pages due or overdue (today included), once per page and
    due date; pages nobody can be told about go to the client managers. Returns the
    number of emails sent."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    due = review_pages(today).filter(review_due_at__lt=end_of_day(today))
    ReviewReminder.objects.bulk_create(
        [
            ReviewReminder(
                page_id=row["pk"],
                due_on=timezone.localdate(row["review_due_at"]),
                owner_id=row["review_owner_id"],
            )
            for row in due.values("pk", "review_due_at", "review_owner_id")
        ],
        ignore_conflicts=True,
    )
    # Claim: only the run whose timestamp lands on a row sends its email.
    if not ReviewReminder.objects.filter(sent_at__isnull=True).update(sent_at=now):
        return 0
    claimed = list(
        ReviewReminder.objects.filter(sent_at=now)
        .select_related("page", "owner")
        .order_by("due_on", "page__title")
    )
    by_recipient = defaultdict(list)
    unowned = []
    for reminder in claimed:
        owner = reminder.owner
        if owner is not None and owner.is_active and owner.email:
            by_recipient[owner].append(reminder)
        else:
            unowned.append(reminder)
    if unowned:
        managers = list(client_managers().exclude(email=""))
        if not managers:
            logger.warning(
                "%d pages are due for review and no client manager has an address", len(unowned)
            )
        for manager in managers:
            by_recipient[manager].extend(unowned)
    mail = get_connection()
    unowned_ids = {reminder.pk for reminder in unowned}
    messages = [
        _reminder_message(user, reminders, unowned_ids, today, mail)
        for user, reminders in by_recipient.items()
    ]
    if messages:
        mail.send_messages(messages)
    return len(messages)


def _reminder_message(user, reminders, unowned_ids, today, mail):
    pages = [
        {
            "title": reminder.page.title,
            "due_on": reminder.due_on,
            "days_overdue": (today - reminder.due_on).days,
            "unowned": reminder.pk in unowned_ids,
            "edit_url": site_url(reverse("wagtailadmin_pages:edit", args=[reminder.page_id])),
            "verify_url": site_url(reverse("knowledge_verify_page", args=[reminder.page_id])),
        }
        for reminder in reminders
    ]
    context = {"pages": pages, "count": len(pages)}
    return personal_email(user, "knowledge/email/review", context, connection=mail)
