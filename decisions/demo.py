"""Demo decisions: a week of what both vendors' agents settled alone under the demo's
answer policies, some refused at the limit (an amount over it, a customer's third
compensation in a month), through ``record_decision`` as the policy page records them.

The policies carry their limits and have been in force since before the week
(``knowledge/demo_data/knowledge.jsonl``). The week is in the past, so each day is
recorded, and sealed into the ledger, at that day's time: the chain stays in the order it
was written, as if beat had sealed it then.
Nothing is loaded again once the demo has decisions.
"""

import random
from datetime import UTC, datetime, time, timedelta
from unittest import mock

from django.utils import timezone

from knowledge.models import AnswerPolicyPage
from portal.audit.chain import seal
from portal.organisation.models import AgentProfile

from .models import Decision
from .recording import record_decision

#: Policies agents decide under, by external id, and what the demo's agents grant under
#: each: (usual amount, an amount over the limit some agents try).
POLICIES = {
    "demo-policy-delivery-delay-compensation": (3000, 5000),
    "demo-policy-dawn-delivery-miss": (5000, 8000),
    "demo-policy-coupon-not-applied": (10000, 15000),
    "demo-policy-points-missing": (15000, 30000),
    "demo-policy-vip-compensation": (10000, 20000),
}
#: "고객당 월 2회까지": the delay policy's per-customer limit (``knowledge.jsonl``).
TIMES_LIMITED = "demo-policy-delivery-delay-compensation"
DAYS = 7
CHANNELS = ["phone", "phone", "chat", "messenger", "email"]


def _at(day, hour, minute):
    """A local time of ``day``, in UTC as ``timezone.now()`` gives it (the ledger's
    hashes cover the time as the database gives it back)."""
    zone = timezone.get_current_timezone()
    local = timezone.make_aware(datetime.combine(day, time(hour, minute)), zone)
    return local.astimezone(UTC)


def load_demo_decisions() -> int:
    """Record the demo week; returns how many decisions were recorded or refused."""
    if Decision.objects.unscoped().exists():
        return 0
    policies = list(AnswerPolicyPage.objects.live().filter(external_id__in=POLICIES))
    agents = list(
        AgentProfile.objects.unscoped()
        .frontline()
        .select_related("user")
        .order_by("vendor__code", "employee_number")
    )
    if not policies or not agents:
        return 0
    today = timezone.localdate()
    seal(everything=True)
    chooser = random.Random(15)  # noqa: S311 - the same demo every time, not a secret
    count = 0
    for back in range(DAYS, 0, -1):
        day = today - timedelta(days=back)
        for n in range(chooser.randint(6, 12)):
            policy = chooser.choice(policies)
            usual, over = POLICIES[policy.external_id]
            amount = (
                over if chooser.random() < 0.15 else chooser.randrange(1, usual // 1000 + 1) * 1000
            )
            # A few customers call again and again about late deliveries.
            customer = (
                f"010-7000-{chooser.randint(1, 3):04d}"
                if policy.external_id == TIMES_LIMITED
                else f"010-{back:04d}-{n:04d}"
            )
            moment = _at(day, 9 + n % 9, chooser.randint(0, 59))
            with mock.patch("django.utils.timezone.now", return_value=moment):
                record_decision(
                    policy,
                    chooser.choice(agents),
                    channel=chooser.choice(CHANNELS),
                    customer=customer,
                    amount=amount,
                    reference=f"ORD-{day:%Y%m%d}-{chooser.randint(10000, 99999)}",
                    note="",
                    ip_address="10.20.0.15",
                    user_agent="demo",
                )
                seal(everything=True)
            count += 1
    return count
