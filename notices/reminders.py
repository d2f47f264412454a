"""Reminders before and at the due date, and the daily escalation digest to managers.

Each scheduled reminder is a unique row (delivery, kind) written before its email is
sent, and each digest a unique row (manager, day): running the beat task twice, or two
beats at once, never sends the same thing twice.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import get_connection
from django.db.models import Exists, OuterRef, Subquery
from django.utils import timezone

from portal.mail import personal_email, site_url
from portal.organisation.models import AgentProfile
from portal.organisation.roles import Role

from .delivery import send_reminder_emails
from .inbox import acknowledgement_of_delivery, newer_material_version
from .models import ChangeNoticePage, Delivery, EscalationDigest, Reminder, in_effect

#: A manager's "remind now" reaches each agent at most this often for a notice.
MANUAL_REMINDER_INTERVAL = timedelta(hours=1)


def open_deliveries(now=None):
    """Deliveries of current material versions still waiting for an acknowledgement
    (an expired promotion waits for nobody)."""
    now = now or timezone.now()
    return (
        Delivery.objects.unscoped()
        .filter(
            in_effect(now, "notice__"),
            notice__acknowledgement_required=True,
            agent__status=AgentProfile.Status.ACTIVE,
        )
        .exclude(Exists(newer_material_version()))
        .exclude(Exists(acknowledgement_of_delivery()))
    )


def send_scheduled_reminders(now=None) -> int:
    now = now or timezone.now()
    before = timedelta(hours=settings.NOTICE_REMIND_BEFORE_HOURS)
    at_due_window = timedelta(hours=settings.NOTICE_AT_DUE_WINDOW_HOURS)
    windows = {
        Reminder.Kind.BEFORE_DUE: {
            "notice__acknowledge_by__gt": now,
            "notice__acknowledge_by__lte": now + before,
        },
        Reminder.Kind.AT_DUE: {
            "notice__acknowledge_by__lte": now,
            "notice__acknowledge_by__gt": now - at_due_window,
        },
    }
    for kind, window in windows.items():
        already = Reminder.objects.filter(delivery=OuterRef("pk"), kind=kind)
        due_ids = open_deliveries(now).filter(**window).exclude(Exists(already))
        Reminder.objects.bulk_create(
            [Reminder(delivery_id=pk, kind=kind) for pk in due_ids.values_list("pk", flat=True)],
            ignore_conflicts=True,
        )
    # Claim: only the run whose timestamp lands on a row sends its email.
    claimed = Reminder.objects.filter(
        sent_at__isnull=True, kind__in=[Reminder.Kind.BEFORE_DUE, Reminder.Kind.AT_DUE]
    ).update(sent_at=now)
    if not claimed:
        return 0
    ids = list(Reminder.objects.filter(sent_at=now).values_list("pk", flat=True))
    return send_reminder_emails(ids)


@dataclass(frozen=True)
class ManualReminders:
    """What a "remind now" on these deliveries would do, said before it is queued."""

    #: Deliveries that will be reminded now.
    due: list[int]
    #: How many were already reminded by hand within the hour (the limit spares them).
    recently_reminded: int
    #: When the earliest of those may be reminded again.
    next_allowed_at: datetime | None


def plan_manual_reminders(delivery_ids: list[int], now=None) -> ManualReminders:
    """``delivery_ids``: deliveries the manager's scope was checked against."""
    now = now or timezone.now()
    waiting = open_deliveries(now).filter(pk__in=delivery_ids)
    last_manual = (
        Reminder.objects.unscoped()
        .filter(delivery=OuterRef("pk"), kind=Reminder.Kind.MANUAL)
        .order_by("-sent_at")
        .values("sent_at")[:1]
    )
    due, recent = [], []
    for pk, last in waiting.annotate(last=Subquery(last_manual)).values_list("pk", "last"):
        if last is not None and last > now - MANUAL_REMINDER_INTERVAL:
            recent.append(last)
        else:
            due.append(pk)
    next_allowed = min(recent) + MANUAL_REMINDER_INTERVAL if recent else None
    return ManualReminders(due, len(recent), next_allowed)


def send_manual_reminders(delivery_ids: list[int], requested_by_id=None) -> int:
    """A manager's "remind now": once an hour at most per agent and notice."""
    now = timezone.now()
    recent = Reminder.objects.filter(
        delivery=OuterRef("pk"),
        kind=Reminder.Kind.MANUAL,
        sent_at__gt=now - MANUAL_REMINDER_INTERVAL,
    )
    targets = open_deliveries().filter(pk__in=delivery_ids).exclude(Exists(recent))
    reminders = Reminder.objects.bulk_create(
        [
            Reminder(
                delivery_id=pk,
                kind=Reminder.Kind.MANUAL,
                sent_at=now,
                requested_by_id=requested_by_id,
            )
            for pk in targets.values_list("pk", flat=True)
        ]
    )
    return send_reminder_emails([r.pk for r in reminders]) if reminders else 0


def send_digests(now=None) -> int:
    """One email per team lead and vendor manager listing their overdue agents."""
    now = now or timezone.now()
    overdue = list(
        open_deliveries(now)
        .filter(notice__acknowledge_by__lt=now)
        .values(
            "agent_id",
            "agent__user__name",
            "agent__team_id",
            "agent__team__name",
            "agent__vendor_id",
            "notice_id",
            "notice__title",
            "notice__acknowledge_by",
        )
        .order_by("notice__acknowledge_by", "agent__user__name")
    )
    if not overdue:
        return 0
    by_team, by_vendor = defaultdict(list), defaultdict(list)
    for row in overdue:
        by_vendor[row["agent__vendor_id"]].append(row)
        if row["agent__team_id"]:
            by_team[row["agent__team_id"]].append(row)
    managers = (
        AgentProfile.objects.unscoped()
        .filter(status=AgentProfile.Status.ACTIVE)
        .select_related("user")
        .filter(user__groups__name__in=[Role.TEAM_LEAD.value, Role.VENDOR_MANAGER.value])
        .distinct()
    )
    day = timezone.localdate(now)
    sent = 0
    mail = get_connection()
    messages = []
    for manager in managers:
        roles = set(manager.user.groups.values_list("name", flat=True))
        if Role.VENDOR_MANAGER.value in roles:
            rows = by_vendor.get(manager.vendor_id, [])
        else:
            rows = by_team.get(manager.team_id, [])
        rows = [row for row in rows if row["agent_id"] != manager.pk]
        if not rows or not manager.user.email:
            continue
        digest, created = EscalationDigest.objects.get_or_create(
            manager=manager.user, day=day, defaults={"overdue": len(rows)}
        )
        if not created or digest.sent_at is not None:
            continue
        EscalationDigest.objects.filter(pk=digest.pk).update(sent_at=now)
        messages.append(_digest_message(manager.user, rows, mail))
        sent += 1
    if messages:
        mail.send_messages(messages)
    return sent


def _digest_message(user, rows, mail):

    notices = defaultdict(list)
    for row in rows:
        notices[(row["notice_id"], row["notice__title"], row["notice__acknowledge_by"])].append(row)
    pages = ChangeNoticePage.objects.in_bulk([key[0] for key in notices])
    groups = [
        {
            "title": title,
            "due": due,
            "url": site_url(pages[notice_id]) if notice_id in pages else "",
            "agents": agent_rows,
        }
        for (notice_id, title, due), agent_rows in notices.items()
    ]
    context = {
        "manager_name": user.get_full_name(),
        "groups": groups,
        "count": len(rows),
    }
    return personal_email(user, "notices/email/digest", context, connection=mail)
