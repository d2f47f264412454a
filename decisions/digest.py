"""The daily digest (사후 보고) to each policy's owner: yesterday's decisions per policy
and vendor, the amounts granted, the refusals, and the agents close to the limits.

A policy without an owner who can be told is reported to the client managers, as
review reminders are (``knowledge.verification``). Each recipient gets one email per
day (``DecisionDigest``): a second run, or a second beat, sends nothing again.
"""

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from django.core.mail import get_connection
from django.db.models import Count, F, Q, Sum
from django.urls import reverse
from django.utils import timezone

from knowledge.models import AnswerPolicyPage
from knowledge.verification import client_managers, client_staff, responsible_owner
from portal.mail import personal_email, site_url

from .models import Decision, DecisionDigest

logger = logging.getLogger(__name__)

#: A recorded amount at or above this share of the limit puts its agent on the list.
CLOSE_TO_LIMIT = 0.8


@dataclass
class PolicyDigest:
    title: str
    limit_amount_krw: int | None
    vendors: list[dict] = field(default_factory=list)
    close: list[dict] = field(default_factory=list)

    @property
    def decisions(self) -> int:
        return sum(row["recorded"] + row["refused"] for row in self.vendors)


def _day_bounds(day):
    zone = timezone.get_current_timezone()
    start = timezone.make_aware(datetime.combine(day, time.min), zone)
    return start, start + timedelta(days=1)


def digests_of(day) -> dict[int, PolicyDigest]:
    """policy id → (its owner's id, what ``day`` brought), in three queries."""
    start, end = _day_bounds(day)
    decisions = Decision.objects.unscoped().filter(decided_at__gte=start, decided_at__lt=end)
    recorded, refused = Q(outcome=Decision.Outcome.RECORDED), Q(outcome=Decision.Outcome.REFUSED)
    per_vendor = (
        decisions.values(
            "policy_id",
            "policy__title",
            "policy__limit_amount_krw",
            "agent__vendor__name",
        )
        .annotate(
            recorded=Count("pk", filter=recorded),
            refused=Count("pk", filter=refused),
            amount_krw=Sum("amount_krw", filter=recorded),
        )
        .order_by("policy__title", "agent__vendor__name")
    )
    policies: dict[int, PolicyDigest] = {}
    for row in per_vendor:
        digest = policies.setdefault(
            row["policy_id"], PolicyDigest(row["policy__title"], row["policy__limit_amount_krw"])
        )
        digest.vendors.append(
            {
                "vendor": row["agent__vendor__name"],
                "recorded": row["recorded"],
                "refused": row["refused"],
                "amount_krw": row["amount_krw"] or 0,
            }
        )
    # Close to the limits: refused at least once, or granted most of the amount allowed.
    near = Q(policy__limit_amount_krw__isnull=False) & Q(
        amount_krw__gte=CLOSE_TO_LIMIT * F("policy__limit_amount_krw")
    )
    close = (
        decisions.filter(refused | (recorded & near))
        .values("policy_id", "agent__user__name", "agent__employee_number", "agent__vendor__name")
        .annotate(refused=Count("pk", filter=refused), near=Count("pk", filter=recorded & near))
        .order_by("agent__vendor__name", "agent__user__name")
    )
    for row in close:
        policies[row["policy_id"]].close.append(row)
    return policies


def send_decision_digests(now=None) -> int:
    """Email yesterday's decisions to each policy's owner; returns the emails sent."""
    now = now or timezone.now()
    day = timezone.localdate(now) - timedelta(days=1)
    policies = digests_of(day)
    if not policies:
        return 0
    # Whoever answers for the policy, as for its feedback: its owner, else its section's.
    pages = AnswerPolicyPage.objects.in_bulk(list(policies))
    owner_of = {pk: responsible_owner(page) for pk, page in pages.items()}
    staff = client_staff().filter(is_active=True).exclude(email="")
    reachable = {
        user.pk: user
        for user in staff.filter(pk__in={o.pk for o in owner_of.values() if o is not None})
    }
    by_recipient: dict[object, list[PolicyDigest]] = defaultdict(list)
    unowned = []
    for policy_id, digest in policies.items():
        owner = owner_of.get(policy_id)
        if owner is not None and owner.pk in reachable:
            by_recipient[reachable[owner.pk]].append(digest)
        else:
            unowned.append(digest)
    if unowned:
        managers = list(client_managers().filter(is_active=True).exclude(email=""))
        if not managers:
            logger.warning("%d policies' decisions have nobody to report to", len(unowned))
        for manager in managers:
            by_recipient[manager].extend(unowned)
    mail = get_connection()
    sent = failed = 0
    for user, digests in by_recipient.items():
        count = sum(digest.decisions for digest in digests)
        claim, _created = DecisionDigest.objects.get_or_create(
            recipient=user, day=day, defaults={"decisions": count}
        )
        # Claim: only the run whose update lands on the unsent row sends the email.
        unsent = DecisionDigest.objects.filter(pk=claim.pk, sent_at__isnull=True)
        if not unsent.update(sent_at=now):
            continue
        try:
            mail.send_messages([_digest_message(user, day, digests, count, mail)])
        except Exception:
            # Given back, so that the task's retry (or a later run) sends it; the others
            # already sent stay sent.
            DecisionDigest.objects.filter(pk=claim.pk).update(sent_at=None)
            failed += 1
            logger.exception("the decisions digest to user %s could not be sent", user.pk)
            continue
        sent += 1
    if failed:
        raise DigestNotSent(f"{failed} of {failed + sent} digests could not be sent")
    return sent


class DigestNotSent(Exception):
    """Some digests could not be sent; they are unclaimed for the retry."""


def _digest_message(user, day, digests, count, mail):
    context = {
        "day": day,
        "policies": digests,
        "count": count,
        "report_url": site_url(reverse("decisions_admin_report"))
        + f"?since={day.isoformat()}&until={day.isoformat()}",
    }
    return personal_email(user, "decisions/email/digest", context, connection=mail)
