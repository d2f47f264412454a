"""The attestation ledger: keyed records, chained by a sealer, anchored by checkpoints.

An ``AuditRecord`` is written in the transaction of what it attests (an acknowledgement,
a sign-off), with an HMAC of its content under ``AUDIT_KEY``, a key kept outside the
database. A sealer (``chain.seal``, run by beat) later gives each record its place in
the chain, a ``ChainEntry`` whose keyed hash covers the record's and the entry before
it; so no request waits on a lock over the whole chain (the Certificate Transparency
pattern: leaves first, then sequenced within a bounded merge delay). Checkpoints written
outside the database (``checkpoints``) pin the chain's length and head. Database
triggers (``guards``) refuse UPDATE, DELETE and TRUNCATE on both tables.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditRecord(models.Model):
    kind = models.CharField(_("kind"), max_length=64)
    payload = models.JSONField(_("what was attested"))
    # Indexed for the sealer, which looks at the last hour's records (``chain.seal``).
    created_at = models.DateTimeField(_("recorded at (UTC)"), db_index=True)
    #: HMAC-SHA256 of kind, time and payload under AUDIT_KEY (``chain.record_hash``).
    record_hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("audit record")
        verbose_name_plural = _("audit records")
        ordering = ["pk"]

    def __str__(self):
        return f"#{self.pk} {self.kind} {self.record_hash[:12]}"


class ChainEntry(models.Model):
    """A record's place in the chain, given once by the sealer."""

    position = models.PositiveBigIntegerField(_("position"), unique=True)
    record = models.OneToOneField(AuditRecord, on_delete=models.PROTECT, related_name="chain_entry")
    # Unique: a hash is followed once, so two sealers can never fork the chain.
    previous_hash = models.CharField(max_length=64, unique=True)
    entry_hash = models.CharField(max_length=64, unique=True)
    sealed_at = models.DateTimeField(_("sealed at (UTC)"))

    class Meta:
        verbose_name = _("chain entry")
        verbose_name_plural = _("chain entries")
        ordering = ["position"]

    def __str__(self):
        return f"{self.position}: record {self.record_id} {self.entry_hash[:12]}"


class PersonalDetail(models.Model):
    """The personal details an audit record is about (employee number, IP address,
    browser), kept beside it rather than in it so that they can be erased when their
    retention ends while the record still verifies: the record holds only a keyed
    commitment to them and this row's random nonce (``chain.commitment``).

    An ordinary table, unlike the ledger's: ``chain.forget`` deletes rows from it."""

    record = models.OneToOneField(
        AuditRecord, on_delete=models.PROTECT, primary_key=True, related_name="personal"
    )
    #: The agent profile the record is about; erasure goes by person.
    agent_id = models.PositiveBigIntegerField(db_index=True)
    nonce = models.CharField(max_length=32)
    details = models.JSONField()

    class Meta:
        verbose_name = _("personal details of an audit record")
        verbose_name_plural = _("personal details of audit records")

    def __str__(self):
        return f"record {self.record_id}: agent {self.agent_id}"


class AttestedRow:
    """For a model whose rows are attested (``chain.attest``): the personal details of
    its record, read where they are kept; empty once erased. Select
    ``audit_record__personal`` with the rows."""

    @property
    def personal_details(self) -> dict:
        try:
            return self.audit_record.personal.details
        except PersonalDetail.DoesNotExist:
            return {}

    @property
    def ip_address(self) -> str | None:
        return self.personal_details.get("ip_address")

    @property
    def user_agent(self) -> str:
        return self.personal_details.get("user_agent") or ""
