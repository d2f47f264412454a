"""A KPI missed twice in a row: both sides are told by email, the vendor's managers and
the client managers, once per KPI and period.

Beat runs ``send_missed_kpi_alerts`` daily over every vendor's board (``board``): a KPI
whose latest value is its second miss in a row (or third, ...) gets a ``KpiAlert`` row
for that period and each recipient, claimed before their email goes out, so a repeated or
concurrent run sends nothing twice. A failed send gives that claim back, as the
decisions' digest does, and the task retries for those not yet told. A run of misses
that ended long ago (no actual since) is not news: only a miss in one of the last two
complete periods is told.
"""

import logging

from django.contrib.auth import get_user_model
from django.core.mail import get_connection
from django.urls import reverse
from django.utils import timezone

from knowledge.verification import client_managers
from portal.mail import personal_email, site_url
from portal.organisation.models import AgentProfile
from portal.organisation.scoping import Reach, Scope

from .board import Status, build_board
from .models import KpiAlert

logger = logging.getLogger(__name__)

#: A KPI is told about at its second miss in a row, and at each miss after it.
MISSES_TOLD = 2


class AlertNotSent(Exception):
    """Some alerts could not be sent; they are unclaimed for the retry."""


def send_missed_kpi_alerts(day=None, now=None) -> int:
    """Email both sides about every KPI newly missed twice in a row, each recipient once;
    returns the KPIs told about in this run."""
    now = now or timezone.now()
    board = build_board(Scope(Reach.ALL), day=day)
    due = [
        (vendor_board, line)
        for vendor_board in board.vendors
        for line in vendor_board.lines
        if line.missed_in_a_row >= MISSES_TOLD
        and line.latest.status is Status.MISSED
        and line.latest in line.points[-2:]
    ]
    if not due:
        return 0
    managers = list(client_managers().filter(is_active=True).exclude(email=""))
    mail = get_connection()
    sent = failed = 0
    for vendor_board, line in due:
        told = False
        for user in _unique(_vendor_managers(vendor_board.vendor.pk) + managers):
            alert, _created = KpiAlert.objects.get_or_create(
                kpi=line.kpi,
                period_start=line.latest.period.start,
                recipient=user,
                defaults={"missed_in_a_row": line.missed_in_a_row},
            )
            # Claim: only the run whose update lands on the unsent row sends this email.
            claimed = KpiAlert.objects.filter(pk=alert.pk, sent_at__isnull=True)
            if not claimed.update(sent_at=now):
                continue
            try:
                mail.send_messages([_message(user, vendor_board, line, mail)])
            except Exception:
                KpiAlert.objects.filter(pk=alert.pk).update(sent_at=None)
                failed += 1
                logger.exception("the missed-KPI alert %s could not be sent", alert.pk)
                continue
            told = True
        sent += told
    if failed:
        raise AlertNotSent(f"{failed} missed-KPI alert emails could not be sent")
    return sent


def _vendor_managers(vendor_id) -> list:
    managers = AgentProfile.objects.unscoped().vendor_managers().filter(vendor_id=vendor_id)
    return list(
        get_user_model()
        .objects.filter(is_active=True, agent_profile__in=managers)
        .exclude(email="")
        .order_by("pk")
    )


def _unique(users):
    seen = set()
    for user in users:
        if user.pk not in seen:
            seen.add(user.pk)
            yield user


def _message(user, vendor_board, line, mail):
    context = {
        "vendor": vendor_board.vendor.name,
        "contract": vendor_board.contract.name,
        "kpi": line.kpi.name,
        "weekly": line.kpi.period == "week",
        "count": line.missed_in_a_row,
        "target": line.target,
        "tolerance": line.tolerance,
        "missed": [point for point in line.points if point.value is not None][
            -line.missed_in_a_row :
        ],
        "url": site_url(reverse("contracts:board")) + f"?vendor={vendor_board.vendor.pk}",
    }
    return personal_email(user, "contracts/email/kpi_missed", context, connection=mail)
