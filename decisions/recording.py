"""Recording a decision under an answer policy: every rule of the policy as published at
that moment, checked on the server, and the outcome (recorded or refused) attested.

Bad input and a policy the agent may not decide under are refused with a message and
nothing written (``DecisionRejected``). A decision over the amount limit, or beyond the
times per customer within the window, is written as refused: the refusal is part of the
report. The per-customer count is read and the decision written inside one transaction
that holds a lock on (policy, customer) only, so concurrent decisions for one customer
take turns and decisions for anyone else never wait.
"""

import hashlib
import re
import unicodedata
from datetime import timedelta

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from knowledge.models import AnswerPolicyPage, AnswerScript
from portal.audit.chain import attest, keyed_hash
from portal.visibility import can_see_page

from .models import Decision

#: What the agent attests, recorded word for word with each decision.
STATEMENT = gettext_lazy(
    "I settled this case alone under this answer policy, within its limits, "
    "and report it afterwards."
)
#: What a refused decision attests instead: the agent asked, and did not grant it.
REFUSED_STATEMENT = gettext_lazy(
    "I asked to settle this case under this answer policy; it was outside its limits, "
    "so I escalate it instead."
)
#: The label of the customer's keyed hash: a hash for this use only, never comparable
#: with another use of the same key.
CUSTOMER_HASH_LABEL = "decision.customer"

#: All but letters and digits: how a number is typed (spaces, hyphens, dots, brackets, a
#: plus) does not make another customer.
_NOT_ALPHANUMERIC = re.compile(r"[^0-9a-z]")
_EMAIL_SPACE = re.compile(r"\s")


class DecisionRejected(Exception):
    """Shown as is; nothing was written."""


class PolicyNotFound(DecisionRejected):
    """The policy is not one this agent may open: answered as if it did not exist."""


def normalise_customer(identifier: str) -> str:
    """One spelling per customer: ``010-1234 5678``, ``010.1234.5678``, ``(010)1234-5678``,
    ``+82 10-1234-5678`` and ``01012345678`` count as the same customer; so does an email
    in any case, or a member number however it is punctuated. Full-width characters, as a
    Korean keyboard may type them, count as their plain forms."""
    text = unicodedata.normalize("NFKC", identifier or "").casefold()
    if "@" in text:
        return _EMAIL_SPACE.sub("", text)
    plain = _NOT_ALPHANUMERIC.sub("", text)
    if text.lstrip().startswith("+82") and plain.startswith("82"):
        # Korea's country code in place of the trunk 0: +82 10… is 010….
        plain = "0" + plain[2:]
    return plain


def customer_hash(identifier: str) -> str:
    return keyed_hash(CUSTOMER_HASH_LABEL, normalise_customer(identifier))


def live_policy(policy_id) -> AnswerPolicyPage | None:
    """The policy as published now (the page row is its live revision), or None."""
    return AnswerPolicyPage.objects.live().filter(pk=policy_id).first()


def closed_for_decisions(policy, today=None) -> str:
    """Why no agent may record a decision under ``policy`` today (empty when they may)."""
    today = today or timezone.localdate()
    if not policy.agent_may_decide:
        return _(
            "This policy does not let agents decide alone (%(authority)s): follow its "
            "escalation route."
        ) % {"authority": policy.get_authority_display()}
    if policy.effective_from and policy.effective_from > today:
        return _("This policy is not in effect yet (from %(day)s).") % {
            "day": policy.effective_from.isoformat()
        }
    if policy.is_expired():
        return _("This policy is no longer in effect.")
    return ""


def may_decide_under(policy, agent) -> bool:
    """Whether ``agent`` sees the form: the policy is open to them and lets agents decide."""
    return (
        agent is not None and not closed_for_decisions(policy) and can_see_page(agent.user, policy)
    )


def escalation(policy) -> str:
    """Where a refused decision goes instead, as the policy says."""
    parts = [policy.escalation_route.strip(), policy.escalation_contact.strip()]
    return " · ".join(part for part in parts if part)


def _serialise(policy_id: int, hashed: str) -> None:
    """Take turns with every other decision for this customer under this policy, until
    the transaction ends. SQLite already runs one writing transaction at a time."""
    if connection.vendor != "postgresql":
        return
    digest = hashlib.sha256(f"decision\n{policy_id}\n{hashed}".encode()).digest()
    key = int.from_bytes(digest[:8], "big", signed=True)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])


def times_decided(policy, hashed: str, now) -> int:
    """Decisions recorded (not refused) for this customer under ``policy`` within its
    window (ever, for a policy that names no window)."""
    decisions = Decision.objects.unscoped().filter(
        policy=policy, customer_hash=hashed, outcome=Decision.Outcome.RECORDED
    )
    if policy.limit_window_days:
        decisions = decisions.filter(decided_at__gt=now - timedelta(days=policy.limit_window_days))
    return decisions.count()


def _checked_amount(policy, amount):
    if policy.limit_amount_krw is None:
        return None
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise DecisionRejected(_("Enter the amount in won as a whole number, e.g. 30000."))
    return amount


def record_decision(
    policy,
    agent,
    *,
    channel: str,
    customer: str,
    amount: int | None = None,
    reference: str = "",
    note: str = "",
    ip_address: str | None = None,
    user_agent: str = "",
) -> Decision:
    """Record ``agent``'s decision under ``policy`` (its live version), recorded or
    refused; ``DecisionRejected`` when nothing may be recorded at all.

    Only for oneself: callers pass the signed-in person's own profile, never a posted id.
    """
    if agent is None or not can_see_page(agent.user, policy):
        raise PolicyNotFound(_("This policy is not available to you."))
    refusal = closed_for_decisions(policy)
    if refusal:
        raise DecisionRejected(refusal)
    if channel not in dict(AnswerScript.CHANNELS):
        raise DecisionRejected(_("Choose the channel the customer contacted you on."))
    amount = _checked_amount(policy, amount)
    if not normalise_customer(customer):
        raise DecisionRejected(_("Enter the customer's phone number, email or member number."))
    hashed = customer_hash(customer)
    revision_id = policy.live_revision_id
    with transaction.atomic():
        _serialise(policy.pk, hashed)
        now = timezone.now()
        refused = ""
        if amount is not None and amount > policy.limit_amount_krw:
            refused = Decision.Refusal.OVER_AMOUNT
        elif (
            policy.limit_times_per_customer is not None
            and times_decided(policy, hashed, now) >= policy.limit_times_per_customer
        ):
            refused = Decision.Refusal.OVER_TIMES
        facts = {
            "policy_id": policy.pk,
            "policy_revision_id": revision_id,
            "channel": channel,
            "amount_krw": amount,
            "reference": reference,
            "customer_hash": hashed,
            "note": note,
            "outcome": (Decision.Outcome.REFUSED if refused else Decision.Outcome.RECORDED).value,
            "refusal": refused.value if refused else "",
        }
        fields = {**facts, "policy": policy}
        del fields["policy_id"]
        decision, _created = attest(
            Decision,
            agent=agent,
            statement=REFUSED_STATEMENT if refused else STATEMENT,
            # A decision is never a repeat of another: no row is looked for on a conflict.
            once={"pk": None},
            facts=lambda _now: facts,
            fields=lambda _now: fields,
            ip_address=ip_address,
            user_agent=user_agent,
        )
    return decision
