"""A vendor's records handed over at a contract's end: each export a client manager
started, its progress, and the archive it wrote (kept in a private folder, never under
``MEDIA_ROOT``; ``views.download`` serves it to client managers only); and the vendor's
off-boarding, what a client manager decided and how far beat has carried it out
(``offboarding``)."""

from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.organisation.models import Vendor
from portal.organisation.scoping import VendorOwnedQuerySet


class RecordsExport(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    vendor = models.ForeignKey(
        Vendor, on_delete=models.PROTECT, related_name="+", verbose_name=_("vendor")
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.QUEUED
    )
    kinds_total = models.PositiveSmallIntegerField(default=0)
    kinds_done = models.PositiveSmallIntegerField(default=0)
    records_written = models.PositiveBigIntegerField(_("records written"), default=0)
    file_name = models.CharField(_("file"), max_length=200, blank=True)
    size = models.PositiveBigIntegerField(_("bytes"), null=True, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    error = models.CharField(_("reason it failed"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("requested at"), default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = VendorOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        permissions = [("export_records", _("Can export a vendor's records for hand-over"))]
        verbose_name = _("records export")
        verbose_name_plural = _("records exports")

    def __str__(self):
        return f"{self.vendor_id} {self.status} {self.file_name}"

    @property
    def folder(self) -> Path:
        """This export's own folder: two exports in the same minute never share a file."""
        return Path(settings.HANDOVER_EXPORT_DIR) / str(self.pk)

    @property
    def path(self) -> Path | None:
        return self.folder / self.file_name if self.file_name else None

    @property
    def in_progress(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)


def default_retention_days() -> int:
    return settings.OFFBOARDING_RETENTION_DAYS


class VendorOffboarding(models.Model):
    """The end of a vendor: the day its people's accounts end, and how long their records
    are kept with their personal data before beat erases it (``offboarding``).

    A client manager decides it (``offboarding.schedule``); beat carries it out and
    stamps each step, after which the step's date no longer moves."""

    vendor = models.OneToOneField(
        Vendor, on_delete=models.PROTECT, related_name="+", verbose_name=_("vendor")
    )
    accounts_end_on = models.DateField(
        _("accounts end on"),
        help_text=_("The first day the vendor's people can no longer sign in."),
    )
    retention_days = models.PositiveIntegerField(
        _("retention (days)"),
        default=default_retention_days,
        help_text=_(
            "Personal data of the vendor's people is erased this many days after their "
            "accounts end; their records are kept, pseudonymised."
        ),
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), default=timezone.now)
    accounts_ended_at = models.DateTimeField(_("accounts ended at"), null=True, blank=True)
    personal_data_erased_at = models.DateTimeField(
        _("personal data erased at"), null=True, blank=True
    )

    objects = VendorOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["accounts_end_on", "pk"]
        permissions = [("offboard_vendor", _("Can off-board a vendor"))]
        verbose_name = _("vendor off-boarding")
        verbose_name_plural = _("vendor off-boardings")

    def __str__(self):
        return f"{self.vendor_id} {self.accounts_end_on} +{self.retention_days}"

    @property
    def erase_on(self):
        """The day beat erases the personal data of the vendor's people; None for a row
        saved past the checks whose day would be beyond any calendar."""
        try:
            return self.accounts_end_on + timedelta(days=self.retention_days)
        except OverflowError:
            return None

    @property
    def accounts_ended(self) -> bool:
        return self.accounts_ended_at is not None

    @property
    def erased(self) -> bool:
        return self.personal_data_erased_at is not None
