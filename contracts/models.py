"""A vendor's contract and the 3 to 5 KPIs it promises, with the actual figure of each
KPI for each week or month.

A KPI is either *reported* (its actuals are entered by client staff, imported from a
file or pushed by the vendor's call-centre system) or *computed* from one of the portal's
own measures, named by ``Measure``. Contracts, KPIs and actuals are the vendor's records:
scoped like every vendor-owned row (``VendorOwnedQuerySet``), so a vendor manager sees
their vendor's, and agents and team leads none.
"""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from modelcluster.models import ClusterableModel
from wagtail.models import Orderable

from portal.organisation.models import Channel, Vendor
from portal.organisation.scoping import VendorOwnedQuerySet

from .periods import Period, period_end, period_label, period_start_error

#: A contract keeps a few promises it can really keep: this many active KPIs.
MIN_ACTIVE_KPIS = 3
MAX_ACTIVE_KPIS = 5


class Measure(models.TextChoices):
    """The portal's own measures a KPI can be computed from, each a percentage for a
    period; the apps that own the records compute them (their ``measures.py``)."""

    ON_TIME_ACKNOWLEDGEMENT = "on_time_acknowledgement", _("On-time acknowledgement rate")
    READINESS_AT_GO_LIVE = "readiness_at_go_live", _("Readiness at go-live")
    FIRST_ATTEMPT_PASS = "first_attempt_pass", _("First-attempt quiz pass rate")
    DECISIONS_WITHIN_LIMITS = "decisions_within_limits", _("Decisions within limits")
    FEEDBACK_RESOLVED = "feedback_resolved", _("Feedback resolved")


class Unit(models.TextChoices):
    PERCENT = "percent", _("%")
    SECONDS = "seconds", _("seconds")
    MINUTES = "minutes", _("minutes")
    SCORE = "score", _("score")
    COUNT = "count", _("count")


class Direction(models.TextChoices):
    HIGHER = "higher", _("Higher is better")
    LOWER = "lower", _("Lower is better")


class Source(models.TextChoices):
    ENTERED = "entered", _("Entered")
    IMPORTED = "imported", _("Imported")
    PUSHED = "pushed", _("Pushed by the vendor's system")


def active_kpis_error(count: int) -> str | None:
    """Why a contract with ``count`` active KPIs cannot be saved, or None: the one rule
    every path that edits KPIs applies (the admin form, ``Contract.check_kpis``)."""
    if MIN_ACTIVE_KPIS <= count <= MAX_ACTIVE_KPIS:
        return None
    return _(
        "A contract has %(min)d to %(max)d active KPIs, the few promises that can be kept; "
        "this one would have %(count)d."
    ) % {"min": MIN_ACTIVE_KPIS, "max": MAX_ACTIVE_KPIS, "count": count}


class ContractQuerySet(VendorOwnedQuerySet):
    pass


class Contract(ClusterableModel):
    """The service agreement with one vendor: its term, its pilot, the channels it
    covers and how often both sides review its KPIs together."""

    class ReviewCadence(models.TextChoices):
        MONTHLY = "monthly", _("Monthly")
        QUARTERLY = "quarterly", _("Quarterly")

    vendor = models.ForeignKey(
        Vendor, on_delete=models.PROTECT, related_name="contracts", verbose_name=_("vendor")
    )
    name = models.CharField(_("name"), max_length=200)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    pilot_ends_on = models.DateField(
        _("pilot phase ends on"),
        null=True,
        blank=True,
        help_text=_("Leave empty when the contract has no pilot phase."),
    )
    # The portal's channels, the ones agents and courses use.
    channels = ParentalManyToManyField(
        Channel, blank=True, related_name="contracts", verbose_name=_("channels")
    )
    review_cadence = models.CharField(
        _("review cadence"),
        max_length=16,
        choices=ReviewCadence.choices,
        default=ReviewCadence.MONTHLY,
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ContractQuerySet.as_manager()

    class Meta:
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        ordering = ["vendor_id", "-starts_on", "pk"]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        errors = {}
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            errors["ends_on"] = _("The contract cannot end before it starts.")
        if self.pilot_ends_on and self.starts_on and self.pilot_ends_on < self.starts_on:
            errors["pilot_ends_on"] = _("The pilot phase cannot end before the contract starts.")
        elif self.pilot_ends_on and self.ends_on and self.pilot_ends_on > self.ends_on:
            errors["pilot_ends_on"] = _("The pilot phase cannot end after the contract.")
        if errors:
            raise ValidationError(errors)

    def covers(self, day) -> bool:
        """Whether the contract is in force on ``day``."""
        return self.starts_on <= day and (self.ends_on is None or day <= self.ends_on)

    def covers_period(self, start, period: str) -> bool:
        """Whether the contract is in force on any day of the ``period`` (week or month)
        starting on ``start``: a contract starting mid-month reports that month."""
        return self.starts_on <= period_end(start, period) and (
            self.ends_on is None or start <= self.ends_on
        )

    def check_kpis(self) -> None:
        """The 3-to-5 rule on the KPIs as saved (or held by the cluster, before saving)."""
        error = active_kpis_error(sum(1 for kpi in self.kpis.all() if kpi.active))
        if error:
            raise ValidationError(error)


class KpiQuerySet(VendorOwnedQuerySet):
    vendor_field = "contract__vendor"


class Kpi(Orderable):
    """One promise of a contract: what is measured, how, and what counts as kept."""

    contract = ParentalKey(
        Contract, on_delete=models.CASCADE, related_name="kpis", verbose_name=_("contract")
    )
    code = models.SlugField(
        _("code"),
        max_length=40,
        help_text=_("Names the KPI in imported files and the API, e.g. response-rate."),
    )
    name = models.CharField(_("name"), max_length=100)
    definition = models.TextField(_("definition"), help_text=_("How it is measured."))
    unit = models.CharField(_("unit"), max_length=16, choices=Unit.choices)
    direction = models.CharField(_("direction"), max_length=8, choices=Direction.choices)
    target = models.DecimalField(_("target"), max_digits=12, decimal_places=2)
    tolerance = models.DecimalField(
        _("tolerance"),
        max_digits=12,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("A miss within this much of the target is within tolerance."),
    )
    period = models.CharField(
        _("period"), max_length=8, choices=Period.choices, default=Period.MONTH
    )
    active = models.BooleanField(_("active"), default=True)
    measure = models.CharField(
        _("computed from"),
        max_length=32,
        choices=Measure.choices,
        blank=True,
        help_text=_(
            "Leave empty when the actuals are reported (entered, imported or pushed); "
            "otherwise the portal computes them from its own records."
        ),
    )

    objects = KpiQuerySet.as_manager()

    class Meta(Orderable.Meta):
        verbose_name = _("KPI")
        verbose_name_plural = _("KPIs")
        constraints = [
            models.UniqueConstraint(fields=["contract", "code"], name="kpi_code_unique_in_contract")
        ]

    def __str__(self):
        return self.name

    @property
    def is_reported(self) -> bool:
        return not self.measure

    def clean(self):
        super().clean()
        # Every portal measure is a share of people or records.
        if self.measure and self.unit and self.unit != Unit.PERCENT:
            raise ValidationError({"unit": _("A KPI computed by the portal is in %.")})


class KpiActualQuerySet(VendorOwnedQuerySet):
    vendor_field = "kpi__contract__vendor"


class KpiActual(models.Model):
    """What a reported KPI came to in one week or month. Recorded again with the same
    value it is left alone; with another value it is updated, and says who changed it
    and when."""

    kpi = models.ForeignKey(
        Kpi, on_delete=models.CASCADE, related_name="actuals", verbose_name=_("KPI")
    )
    #: The period's first day: a Monday for weekly KPIs, the 1st for monthly ones.
    period_start = models.DateField(_("period"))
    value = models.DecimalField(_("value"), max_digits=12, decimal_places=2)
    source = models.CharField(_("source"), max_length=8, choices=Source.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"))
    note = models.CharField(_("note"), max_length=500, blank=True)

    objects = KpiActualQuerySet.as_manager()

    class Meta:
        verbose_name = _("KPI actual")
        verbose_name_plural = _("KPI actuals")
        constraints = [
            models.UniqueConstraint(fields=["kpi", "period_start"], name="one_actual_a_period")
        ]

    def __str__(self):
        return f"{self.kpi_id} {self.period_start} {self.value}"

    @property
    def period_label(self) -> str:
        return period_label(self.period_start, self.kpi.period)

    def clean(self):
        super().clean()
        if self.period_start and self.kpi_id:
            error = period_start_error(self.period_start, self.kpi.period)
            if error:
                raise ValidationError({"period_start": error})


class ReviewNoteQuerySet(VendorOwnedQuerySet):
    vendor_field = "contract__vendor"


#: A review note is what was agreed at a meeting, not its minutes.
REVIEW_NOTE_MAX_LENGTH = 4000


class ReviewNote(models.Model):
    """What the client and the vendor agreed at the monthly review of a contract's KPIs,
    kept with the month it reviewed.

    Each note is added, never edited: both sides write (the client's managers and the
    vendor's), so one side's words are never overwritten by the other's, and a later
    agreement is a later note of the same month, under its author's name and time.
    """

    contract = models.ForeignKey(
        Contract, on_delete=models.CASCADE, related_name="review_notes", verbose_name=_("contract")
    )
    #: The month reviewed: its first day.
    period_start = models.DateField(_("month reviewed"))
    text = models.TextField(_("what was agreed"), max_length=REVIEW_NOTE_MAX_LENGTH)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("author"),
    )
    created_at = models.DateTimeField(_("written at"), auto_now_add=True)

    objects = ReviewNoteQuerySet.as_manager()

    class Meta:
        verbose_name = _("review note")
        verbose_name_plural = _("review notes")
        ordering = ["contract_id", "-period_start", "created_at", "pk"]
        indexes = [models.Index(fields=["contract", "period_start"])]

    def __str__(self):
        return f"{self.contract_id} {self.period_start:%Y-%m}"


class KpiAlertQuerySet(VendorOwnedQuerySet):
    vendor_field = "kpi__contract__vendor"


class KpiAlert(models.Model):
    """A KPI missed twice (or more) in a row, up to ``period_start``, told to one person:
    each of both sides' recipients is emailed once for it. The row is written and claimed
    (``sent_at``) before their email goes out, so a repeated or concurrent run sends
    nothing twice, and a send that fails for one person is retried for them alone."""

    kpi = models.ForeignKey(Kpi, on_delete=models.CASCADE, related_name="alerts")
    #: The latest period of the run of misses.
    period_start = models.DateField()
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    missed_in_a_row = models.PositiveSmallIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    objects = KpiAlertQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["kpi", "period_start", "recipient"], name="one_alert_a_kpi_period_person"
            )
        ]

    def __str__(self):
        return f"{self.kpi_id} {self.period_start}"
