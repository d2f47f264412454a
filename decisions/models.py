"""Decisions (사후 보고): what an agent settled alone under an answer policy, reported
afterwards. Each is an attested statement in the ledger (``portal.audit.chain.attest``),
refusals included: the row is never changed, and its audit record proves it."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from knowledge.models import AnswerPolicyPage, AnswerScript
from portal.audit.models import AttestedRow
from portal.organisation.models import AgentProfile
from portal.organisation.scoping import AgentOwnedQuerySet

#: The reference's characters shown in every listing and export; the rest is masked.
REFERENCE_SHOWN = 4


class Decision(AttestedRow, models.Model):
    """One decision an agent recorded under a policy, as that policy was published then."""

    class Outcome(models.TextChoices):
        RECORDED = "recorded", _("Recorded")
        REFUSED = "refused", _("Refused")

    class Refusal(models.TextChoices):
        OVER_AMOUNT = "over_amount", _("Over the policy's amount limit")
        OVER_TIMES = "over_times", _("Over the policy's times per customer")

    policy = models.ForeignKey(
        AnswerPolicyPage, on_delete=models.PROTECT, related_name="+", verbose_name=_("policy")
    )
    #: The policy's live revision when the decision was taken: the version it relied on.
    policy_revision_id = models.PositiveIntegerField(_("policy version"))
    agent = models.ForeignKey(
        AgentProfile, on_delete=models.PROTECT, related_name="decisions", verbose_name=_("agent")
    )
    # The same channels as the policy's approved scripts.
    channel = models.CharField(_("channel"), max_length=16, choices=AnswerScript.CHANNELS)
    amount_krw = models.PositiveBigIntegerField(_("amount (KRW)"), null=True, blank=True)
    reference = models.CharField(_("order or ticket reference"), max_length=64, blank=True)
    #: ``keyed_hash`` of the normalised customer identifier, which is never stored.
    customer_hash = models.CharField(max_length=64)
    note = models.CharField(_("note"), max_length=500, blank=True)
    outcome = models.CharField(_("outcome"), max_length=8, choices=Outcome.choices)
    refusal = models.CharField(
        _("reason refused"), max_length=16, choices=Refusal.choices, blank=True
    )
    statement = models.TextField(_("statement"))
    decided_at = models.DateTimeField(_("decided at (UTC)"))
    audit_record = models.OneToOneField(
        "audit.AuditRecord", on_delete=models.PROTECT, related_name="+"
    )

    objects = AgentOwnedQuerySet.as_manager()

    attested_kind = "decision"
    attested_moment = "decided_at"
    attested_related = ("policy",)

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        indexes = [
            # The per-customer count under a policy, inside its window.
            models.Index(fields=["policy", "customer_hash", "decided_at"]),
            models.Index(fields=["decided_at"]),
            models.Index(fields=["agent", "decided_at"]),
        ]

    def __str__(self):
        return f"{self.agent_id} {self.outcome} {self.policy_id}"

    @property
    def masked_reference(self) -> str:
        return mask(self.reference)

    def attested_facts(self) -> dict:
        return {
            "policy_id": self.policy_id,
            "policy_revision_id": self.policy_revision_id,
            "channel": self.channel,
            "amount_krw": self.amount_krw,
            "reference": self.reference,
            "customer_hash": self.customer_hash,
            "note": self.note,
            "outcome": self.outcome,
            "refusal": self.refusal,
        }


def mask(reference: str) -> str:
    """All but the last ``REFERENCE_SHOWN`` characters hidden: enough to find the order
    in the CRM, not enough to read it off a shared screen or a spreadsheet."""
    if not reference:
        return ""
    # A reference no longer than what is shown would be shown whole: it is all hidden.
    hidden = (
        len(reference) - REFERENCE_SHOWN if len(reference) > REFERENCE_SHOWN else len(reference)
    )
    return "•" * min(hidden, 8) + reference[hidden:]


class DecisionDigest(models.Model):
    """The daily digest of one day's decisions to one policy owner: sent once."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    #: The (local) day whose decisions it reports.
    day = models.DateField()
    decisions = models.PositiveIntegerField(default=0)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("decision digest")
        constraints = [
            models.UniqueConstraint(fields=["recipient", "day"], name="one_decision_digest_a_day")
        ]

    def __str__(self):
        return f"{self.recipient_id} {self.day}"
