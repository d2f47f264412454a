"""The tokens with which a vendor's own systems (a CRM, a call-centre system) call the
portal's JSON endpoints: one vendor each, and only for the uses it was issued for."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.organisation.models import Vendor
from portal.organisation.scoping import VendorOwnedQuerySet


class SystemTokenQuerySet(VendorOwnedQuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True)


class SystemToken(models.Model):
    """A vendor's system calling the portal (``portal.integrations.tokens``).

    Only a keyed hash of the token is kept: it is shown once, when made
    (``manage.py api_token``), and a copy of the database cannot be used to call in.
    """

    vendor = models.ForeignKey(
        Vendor, on_delete=models.PROTECT, related_name="+", verbose_name=_("vendor")
    )
    name = models.CharField(_("name"), max_length=100)
    #: What the token may do: codes the apps registered (``tokens.register_use``).
    uses = models.JSONField(_("uses"), default=list)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    objects = SystemTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("system token")
        verbose_name_plural = _("system tokens")

    def __str__(self):
        return f"{self.name} ({self.vendor_id})"

    def allows(self, use: str) -> bool:
        return use in self.uses
