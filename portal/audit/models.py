"""The audit trail: append-only records chained by hash.

Each record's hash covers its own content and the previous record's hash, so changing,
removing or reordering any record breaks every hash after it; ``verify_audit`` walks the
chain. Database triggers (see ``guards``) refuse UPDATE and DELETE on the trail and on
the records that point into it, so even a direct SQL session cannot quietly rewrite it.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditRecord(models.Model):
    kind = models.CharField(_("kind"), max_length=64)
    payload = models.JSONField(_("what was attested"))
    created_at = models.DateTimeField(_("recorded at (UTC)"))
    previous_hash = models.CharField(max_length=64)
    record_hash = models.CharField(max_length=64, unique=True)

    class Meta:
        verbose_name = _("audit record")
        verbose_name_plural = _("audit records")
        ordering = ["pk"]

    def __str__(self):
        return f"#{self.pk} {self.kind} {self.record_hash[:12]}"
