"""Creating deliveries and sending their emails, idempotently.

Delivery rows come from one ``INSERT … SELECT … ON CONFLICT DO NOTHING`` per chunk, so a
repeated chunk adds nothing. Emails are claimed (``pending`` → ``sending``) before they
are sent and marked ``sent`` in batches of ``NOTICE_EMAIL_MARK_BATCH`` (one UPDATE per
batch, not one per email), so a repeated task sends only what is still unsent. The only
window for a second send is a worker killed after the SMTP server accepted emails whose
batch was not yet marked: at most ``NOTICE_EMAIL_MARK_BATCH`` emails per chunk in
flight, sent again once their claim is stale, with the same stable Message-ID, which
lets mail systems recognise the repeat.
"""

import logging
import smtplib
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.smtp import EmailBackend as SmtpBackend
from django.db import connection
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from portal.mail import MailMerge, site_url
from portal.organisation.models import AgentProfile

from .models import Delivery, DeliveryAttempt, EmailStatus, Reminder

logger = logging.getLogger(__name__)

_NAME = "\x00agent-name\x00"


class TemporaryEmailFailure(Exception):
    """The mail server could not take messages now; the task retries later."""


def create_deliveries(version, agent_ids: list[int]) -> int:
    """One delivery per agent for ``version``; existing ones are left alone, and agents
    who left (or whose vendor was off-boarded) since the audience was read get none: a
    chunk can wait in the queue while that happens."""
    if not agent_ids:
        return 0
    table = Delivery._meta.db_table
    placeholders = ", ".join(["%s"] * len(agent_ids))
    # SQLite needs a WHERE in INSERT … SELECT … ON CONFLICT to parse the upsert.
    # Only the table name and placeholders are formatted in; every value is a parameter.
    sql = (
        f"INSERT INTO {table} (version_id, notice_id, agent_id, created_at, email_status, "  # noqa: S608
        f"email_attempts, email_error) "
        f"SELECT %s, %s, a.id, %s, CASE WHEN u.email = '' THEN %s ELSE %s END, 0, '' "
        f"FROM organisation_agentprofile a JOIN accounts_user u ON u.id = a.user_id "
        f"WHERE a.id IN ({placeholders}) AND a.status = %s AND u.is_active "
        f"ON CONFLICT (agent_id, version_id) DO NOTHING"
    )
    params = [
        version.pk,
        version.notice_id,
        timezone.now(),
        EmailStatus.NONE,
        EmailStatus.PENDING,
        *agent_ids,
        AgentProfile.Status.ACTIVE,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


@dataclass
class EmailRun:
    sent: int = 0
    failed: int = 0


def claim(delivery_ids: list[int], statuses=(EmailStatus.PENDING,)) -> list[Delivery]:
    """Mark unsent deliveries as being sent by this task and return them.

    One whose agent has left (or whose account ended, or has no address) since it was
    created is settled as "no address" instead: nobody is emailed who can no longer
    read the notice, and the dispatch still finishes."""
    now = timezone.now()
    # A claim older than this belongs to a worker that died mid-send.
    stale = now - timedelta(seconds=settings.NOTICE_EMAIL_CLAIM_STALE_SECONDS)
    claimable = (
        Delivery.objects.unscoped()
        .filter(pk__in=delivery_ids)
        .filter(
            Q(email_status__in=statuses)
            | Q(email_status=EmailStatus.SENDING, email_claimed_at__lt=stale)
        )
    )
    reachable = Q(agent__status=AgentProfile.Status.ACTIVE, agent__user__is_active=True) & ~Q(
        agent__user__email=""
    )
    claimable.exclude(reachable).update(
        email_status=EmailStatus.NONE, email_claimed_at=None, email_error=""
    )
    claimable.update(email_status=EmailStatus.SENDING, email_claimed_at=now)
    return list(
        Delivery.objects.unscoped()
        .filter(pk__in=delivery_ids, email_status=EmailStatus.SENDING, email_claimed_at=now)
        .select_related("agent__user")
        # One version (and notice page) for the whole batch: joined, it was read per row.
        .prefetch_related("version__notice")
        .order_by("pk")
    )


def send_delivery_emails(delivery_ids: list[int], kind: str = "notice") -> EmailRun:
    """Send the emails of these deliveries that are still unsent.

    Raises ``TemporaryEmailFailure`` after marking what was sent and releasing what it
    could not send.
    """
    deliveries = claim(delivery_ids)
    run = EmailRun()
    if not deliveries:
        return run
    renderer = _Renderer(kind)
    attempts = []
    marks = _Marks(settings.NOTICE_EMAIL_MARK_BATCH)
    mail = get_connection()
    try:
        mail.open()
        for index, delivery in enumerate(deliveries):
            try:
                renderer.send(delivery, mail)
            except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused) as error:
                marks.add(delivery, EmailStatus.FAILED, str(error)[:500])
                attempts.append(_attempt(delivery, kind, DeliveryAttempt.Outcome.FAILED, error))
                run.failed += 1
                continue
            except (smtplib.SMTPException, OSError) as error:
                attempts.append(_attempt(delivery, kind, DeliveryAttempt.Outcome.RETRY, error))
                marks.flush()
                _release(deliveries[index:], str(error)[:500])
                raise TemporaryEmailFailure(str(error)) from error
            marks.add(delivery, EmailStatus.SENT, "")
            attempts.append(_attempt(delivery, kind, DeliveryAttempt.Outcome.SENT, None))
            run.sent += 1
    except OSError as error:  # could not even connect
        marks.flush()
        _release([d for d in deliveries if d.email_status == EmailStatus.SENDING], str(error))
        raise TemporaryEmailFailure(str(error)) from error
    finally:
        try:
            marks.flush()
            DeliveryAttempt.objects.bulk_create(attempts)
        finally:
            mail.close()
    return run


class _Marks:
    """Emails sent (or refused for good) since the last UPDATE, marked ``size`` at a time:
    one statement per outcome and batch instead of one per email."""

    def __init__(self, size: int):
        self.size = max(1, size)
        self.pending: dict[tuple[str, str], list] = {}

    def add(self, delivery, status, error) -> None:
        # Settled in memory at once: a failure after it never releases this delivery.
        delivery.email_status = status
        self.pending.setdefault((status, error), []).append(delivery.pk)
        if sum(len(ids) for ids in self.pending.values()) >= self.size:
            self.flush()

    def flush(self) -> None:
        now = timezone.now()
        while self.pending:
            # Taken off before its UPDATE: a failing statement is never repeated by a
            # later flush (which would count an attempt twice).
            (status, error), ids = self.pending.popitem()
            Delivery.objects.unscoped().filter(pk__in=ids).update(
                email_status=status,
                email_attempts=F("email_attempts") + 1,
                emailed_at=now if status == EmailStatus.SENT else None,
                email_error=error,
            )


def _release(deliveries, error):
    ids = [d.pk for d in deliveries]
    for delivery in deliveries:
        delivery.email_status = EmailStatus.PENDING
    Delivery.objects.unscoped().filter(pk__in=ids, email_status=EmailStatus.SENDING).update(
        email_status=EmailStatus.PENDING, email_claimed_at=None, email_error=error[:500]
    )


def _attempt(delivery, kind, outcome, error):
    return DeliveryAttempt(
        delivery_id=delivery.pk,
        kind=kind,
        outcome=outcome,
        detail=str(error)[:500] if error else "",
    )


class _Renderer:
    """Renders each (version, language) once; only the agent's name differs per email."""

    def __init__(self, kind: str):
        self.kind = kind
        self._cache = {}
        self._merges = {}

    def send(self, delivery, mail_connection) -> None:
        """Send this delivery's email; over SMTP, as a copy of the (version, language)'s
        message when one can be made (``MailMerge``)."""
        # Django's own SMTP backend only: a subclass may do more to each message.
        if type(mail_connection) is SmtpBackend:
            user = delivery.agent.user
            merge = self._merge(delivery.version, _language(user))
            copy = merge.copy(
                to=user.email,
                name=user.get_full_name(),
                message_id=_message_id(delivery, self.kind),
            )
            if copy is not None:
                recipient, data = copy
                # The connection is open (``send_delivery_emails`` opened it); smtplib
                # raises what Django's backend would let through.
                mail_connection.connection.sendmail(merge.sender, [recipient], data)
                return
        mail_connection.send_messages([self.message(delivery, mail_connection)])

    def _merge(self, version, language) -> MailMerge:
        key = (version.pk, language)
        if key not in self._merges:
            subject, text, html = self._rendered(version, language)
            self._merges[key] = MailMerge(subject=subject, text=text, html=html, name_token=_NAME)
        return self._merges[key]

    def message(self, delivery, mail_connection) -> EmailMultiAlternatives:
        user = delivery.agent.user
        subject, text, html = self._rendered(delivery.version, _language(user))
        name = user.get_full_name()
        message = EmailMultiAlternatives(
            subject=subject,
            body=text.replace(_NAME, name),
            to=[user.email],
            connection=mail_connection,
            headers={"Message-ID": _message_id(delivery, self.kind)},
        )
        message.attach_alternative(html.replace(_NAME, escape(name)), "text/html")
        return message

    def _rendered(self, version, language):
        key = (version.pk, language)
        if key not in self._cache:
            notice = version.notice
            context = {
                "notice": notice,
                "version": version,
                "kind": self.kind,
                "agent_name": _NAME,
                "url": site_url(notice),
                "portal_name": settings.WAGTAIL_SITE_NAME,
            }
            with translation.override(language):
                context["asked"] = what_is_asked(notice)
                subject = render_to_string("notices/email/subject.txt", context).strip()
                text = render_to_string("notices/email/notice.txt", context)
                html = render_to_string("notices/email/notice.html", context)
            self._cache[key] = (" ".join(subject.split()), text, html)
        return self._cache[key]


def _language(user) -> str:
    return user.language or settings.LANGUAGE_CODE


def what_is_asked(notice) -> str:
    """One sentence of what the agent must do and by when, in the active language."""
    if not notice.acknowledgement_required:
        return _("Please read it; no confirmation is asked.")
    count = len(notice.understanding_check)
    if count:
        action = ngettext(
            "read it, answer the one-question check of understanding and confirm",
            "read it, answer the %(count)d-question check of understanding and confirm",
            count,
        ) % {"count": count}
    else:
        action = _("read it and confirm")
    if notice.acknowledge_by:
        due = formats.date_format(timezone.localtime(notice.acknowledge_by), "Y-m-d H:i")
        return _("Asked of you: %(action)s by %(due)s.") % {"action": action, "due": due}
    return _("Asked of you: %(action)s.") % {"action": action}


def _message_id(delivery, kind) -> str:
    if kind == "notice":
        return delivery.message_id
    return (
        f"<notice-{kind}-{delivery.pk}-{timezone.now():%Y%m%d%H%M%S}@{settings.PORTAL_MAIL_DOMAIN}>"
    )


def send_reminder_emails(reminder_ids: list[int]) -> int:
    """Reminders already claimed (``sent_at`` set by the caller's claim)."""
    reminders = list(
        Reminder.objects.filter(pk__in=reminder_ids).select_related(
            "delivery__agent__user", "delivery__version__notice"
        )
    )
    renderer = _Renderer("reminder")
    messages = []
    mail = get_connection()
    for reminder in reminders:
        if reminder.delivery.agent.user.email:
            messages.append(renderer.message(reminder.delivery, mail))
    if messages:
        mail.send_messages(messages)
    return len(messages)
