"""Change notices and what happens to them: versions, the delivery outbox, deliveries,
acknowledgements, reminders and webhooks.

A notice is a Wagtail page; every publish records a ``NoticeVersion`` in the same
transaction. A *material* version is the one agents must acknowledge: a later
non-material version (a typo fixed) keeps existing acknowledgements. Each material
version gets one ``Delivery`` per agent in its audience (unique), which is also the
agent's inbox entry; an ``Acknowledgement`` is written once and never changed.
"""

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable, Page

from portal.audiences import AudienceFields, audience_panel, check_audience
from portal.audit.models import AttestedRow
from portal.organisation.models import AgentProfile, Vendor
from portal.organisation.roles import VENDOR_ROLES, group_label
from portal.organisation.scoping import AgentOwnedQuerySet, VendorOwnedQuerySet
from portal.publishing import MaterialChangeForm, ScheduleCuePanel, VersionedPage, VersionRecord
from portal.sections import SectionIndexPage

from .audience import agents_in, who_cannot_see
from .blocks import UnderstandingCheckBlock
from .panels import ReadinessImpactPanel


def in_effect(now, via: str = "") -> Q:
    """The notice (``via="notice__"``: a row's notice) is live, and neither expired nor
    past its effective end: what inboxes, reminders and readiness count."""
    return (
        Q(**{f"{via}live": True})
        & (Q(**{f"{via}effective_until__isnull": True}) | Q(**{f"{via}effective_until__gt": now}))
        & (Q(**{f"{via}expire_at__isnull": True}) | Q(**{f"{via}expire_at__gt": now}))
    )


class NoticeIndexPage(SectionIndexPage):
    """The list of change notices; for an agent, their notices inbox."""

    parent_page_types = ["home.HomePage"]
    subpage_types = ["notices.ChangeNoticePage"]
    view = "notices.views.serve_notice_index"
    dashboard = "notices:manage_list"
    dashboard_label = _("Acknowledgement status of my agents")

    class Meta:
        verbose_name = _("change notices section")


class NoticeKind(models.TextChoices):
    LAUNCH = "launch", _("Launch")
    PROMOTION = "promotion", _("Promotion")
    POLICY_CHANGE = "policy", _("Policy change")
    SYSTEM = "system", _("System")
    OTHER = "other", _("Other")


class Priority(models.TextChoices):
    NORMAL = "normal", _("Normal")
    URGENT = "urgent", _("Urgent")


def _minute(moment):
    return moment.replace(second=0, microsecond=0)


class ChangeNoticeForm(MaterialChangeForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "audience_roles" in self.fields:
            self.fields["audience_roles"].label_from_instance = group_label

    def clean(self):
        cleaned = super().clean()
        check_audience(
            self,
            cleaned,
            _("Choose who this notice is for: everyone, or vendors, teams or channels."),
        )
        until, starts = cleaned.get("effective_until"), cleaned.get("effective_from")
        if until and starts and until < starts:
            self.add_error("effective_until", _("The end is before the start."))
        self._check_announced_changes(starts, until)
        self._check_affected_pages_are_seen(cleaned)
        return cleaned

    def _check_affected_pages_are_seen(self, cleaned):
        """A notice never points its readers at a page some of them may not open."""
        formset = self.formsets.get("affected_pages")
        if formset is None or self.errors:
            return
        agents = agents_in(
            everyone=cleaned.get("audience_everyone"),
            vendor_ids=[v.pk for v in cleaned.get("audience_vendors") or []],
            team_ids=[t.pk for t in cleaned.get("audience_teams") or []],
            channel_ids=[c.pk for c in cleaned.get("audience_channels") or []],
            role_ids=[r.pk for r in cleaned.get("audience_roles") or []],
        )
        for form in formset.forms:
            page = form.cleaned_data.get("page") if form.is_valid() else None
            if page is None or form.cleaned_data.get("DELETE"):
                continue
            unseen = who_cannot_see(agents, page)
            if unseen:
                self.add_error(
                    None,
                    _("“%(page)s” cannot be opened by part of the audience: %(names)s.")
                    % {"page": page.title, "names": unseen},
                )

    def _check_announced_changes(self, starts, until):
        """The notice's dates and the changes it announces say the same thing."""
        from .changes import notice_starts  # changes imports this module's models

        first = notice_starts(self.instance) if self.instance.pk else None
        if first is None:
            # A notice that announces no page change says itself what changes.
            said = strip_tags(self.cleaned_data.get("changes") or "").strip()
            if not said and "action-publish" in self.data:
                self.add_error("changes", _("Say what changes."))
            return
        when = timezone.localtime(first).strftime("%Y-%m-%d %H:%M")
        # To the minute: the editor shows and posts times without seconds.
        if starts and _minute(starts) != _minute(first):
            self.add_error(
                "effective_from",
                _("The change this notice announces takes effect at %(when)s; so does the notice.")
                % {"when": when},
            )
        if until and until <= first:
            self.add_error(
                "effective_until",
                _("The notice would end before its change takes effect (%(when)s).")
                % {"when": when},
            )


class ChangeNoticePage(VersionedPage, AudienceFields, Page):
    """A launch, promotion or policy change that reaches exactly the agents it concerns."""

    kind = models.CharField(_("kind"), max_length=16, choices=NoticeKind.choices)
    priority = models.CharField(
        _("priority"), max_length=8, choices=Priority.choices, default=Priority.NORMAL
    )
    summary = models.TextField(_("summary"), help_text=_("Two or three lines: what and why."))
    changes = RichTextField(
        _("what changes"),
        blank=True,
        help_text=_(
            "In your words. When the notice announces scheduled changes of pages, their "
            "differences are shown below this, as they will be."
        ),
    )
    effective_from = models.DateTimeField(_("effective from"), default=timezone.now)
    effective_until = models.DateTimeField(
        _("effective until"),
        null=True,
        blank=True,
        help_text=_("Promotions end by themselves: after this the notice leaves inboxes."),
    )
    audience_roles = ParentalManyToManyField(
        Group,
        blank=True,
        verbose_name=_("roles"),
        limit_choices_to={"name__in": [role.value for role in VENDOR_ROLES]},
        help_text=_("Leave empty for every role."),
    )
    acknowledgement_required = models.BooleanField(_("acknowledgement required"), default=True)
    counts_for_readiness = models.BooleanField(
        _("counts for go-live readiness"),
        default=False,
        help_text=_(
            "Agents not yet live are not ready until they confirm it. Agents already live "
            "are not held back by it."
        ),
    )
    acknowledge_by = models.DateTimeField(_("acknowledge by"), null=True, blank=True)
    understanding_check = StreamField(
        UnderstandingCheckBlock(),
        blank=True,
        verbose_name=_("check of understanding"),
        help_text=_("Questions the agent must answer correctly before confirming."),
    )
    material_change_help = _(
        "Everyone in the audience must read and confirm this version again. Leave "
        "unticked for corrections that change nothing agents do."
    )

    #: What agents read (the audience and settings are the publisher's business).
    reader_fields = [
        "title",
        "summary",
        "changes",
        "effective_from",
        "effective_until",
        "acknowledge_by",
        "understanding_check",
        "affected_pages",
    ]
    reader_labels = {"affected_pages": _("Affected articles and policies")}
    base_form_class = ChangeNoticeForm
    content_panels = [
        ScheduleCuePanel(
            on_publish=_("It is sent to its audience then, by email and in their notices.")
        ),
        *Page.content_panels,
        FieldRowPanel([FieldPanel("kind"), FieldPanel("priority")]),
        FieldPanel("summary"),
        FieldPanel("changes"),
        FieldRowPanel([FieldPanel("effective_from"), FieldPanel("effective_until")]),
        InlinePanel("affected_pages", label=_("Affected articles and policies")),
        audience_panel(roles=True),
        MultiFieldPanel(
            [
                FieldRowPanel(
                    [FieldPanel("acknowledgement_required"), FieldPanel("acknowledge_by")]
                ),
                FieldPanel("counts_for_readiness"),
                ReadinessImpactPanel(),
                FieldPanel("understanding_check"),
            ],
            heading=_("Acknowledgement"),
        ),
        FieldPanel("material_change"),
    ]

    parent_page_types = ["notices.NoticeIndexPage"]

    class Meta:
        verbose_name = _("change notice")
        verbose_name_plural = _("change notices")

    def clean(self):
        super().clean()
        if self.acknowledge_by and not self.acknowledgement_required:
            raise ValidationError(
                {"acknowledge_by": _("A due date needs 'acknowledgement required'.")}
            )

    def serve(self, request, *args, **kwargs):
        # The notice page's view (``notices.views``) imports this module.
        return import_string("notices.views.serve_notice")(self, request)

    @property
    def questions(self) -> list[dict]:
        return [block.value for block in self.understanding_check]

    def is_current(self, now=None) -> bool:
        now = now or timezone.now()
        return self.effective_until is None or self.effective_until > now

    def search_text(self) -> dict[str, str]:
        """Text by field for the agents' search (``searchindex``)."""
        return {"title": self.title, "summary": self.summary, "body": strip_tags(self.changes)}


class AffectedPage(Orderable):
    notice = ParentalKey(ChangeNoticePage, on_delete=models.CASCADE, related_name="affected_pages")
    page = models.ForeignKey(
        "wagtailcore.Page", on_delete=models.CASCADE, related_name="+", verbose_name=_("page")
    )

    panels = [FieldPanel("page")]

    class Meta(Orderable.Meta):
        verbose_name = _("affected page")


class NoticeVersion(VersionRecord):
    """One published version of a notice, with the exact content agents were shown."""

    notice = models.ForeignKey(ChangeNoticePage, on_delete=models.PROTECT, related_name="versions")
    #: The version as agents saw it (title, summary, changes...), and its SHA-256.
    content = models.JSONField()
    content_hash = models.CharField(max_length=64)

    page_field = "notice"

    class Meta:
        verbose_name = _("notice version")
        constraints = [
            models.UniqueConstraint(fields=["notice", "number"], name="notice_version_number")
        ]
        ordering = ["notice", "number"]


class NoticeDispatch(models.Model):
    """The outbox: the intent to deliver a material version, written with the publish.

    A crash after commit, or a broker down at publish time, leaves a pending row that
    the beat's relay hands to Celery again; delivery itself is idempotent.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        FANNED_OUT = "fanned_out", _("Handed to workers")
        DONE = "done", _("Done")

    version = models.ForeignKey(NoticeVersion, on_delete=models.PROTECT, related_name="dispatches")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    fanned_out_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    audience_size = models.PositiveIntegerField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("notice dispatch")
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self):
        return f"dispatch {self.pk} of {self.version} ({self.status})"


class EmailStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    NONE = "none", _("No address")


class Delivery(models.Model):
    """A material version delivered to one agent: their inbox entry and its email."""

    version = models.ForeignKey(NoticeVersion, on_delete=models.PROTECT, related_name="deliveries")
    notice = models.ForeignKey(ChangeNoticePage, on_delete=models.PROTECT, related_name="+")
    agent = models.ForeignKey(AgentProfile, on_delete=models.PROTECT, related_name="deliveries")
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    email_status = models.CharField(
        max_length=8, choices=EmailStatus.choices, default=EmailStatus.PENDING
    )
    email_claimed_at = models.DateTimeField(null=True, blank=True)
    email_attempts = models.PositiveSmallIntegerField(default=0)
    emailed_at = models.DateTimeField(null=True, blank=True)
    email_error = models.CharField(max_length=500, blank=True)

    objects = AgentOwnedQuerySet.as_manager()

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [
            models.UniqueConstraint(fields=["agent", "version"], name="one_delivery_per_version")
        ]
        indexes = [
            models.Index(fields=["version", "email_status"]),
            models.Index(fields=["notice", "agent"]),
        ]

    def __str__(self):
        return f"{self.version} → {self.agent_id}"

    @property
    def message_id(self) -> str:
        """Stable per delivery: a repeated SMTP send is recognisably the same message."""
        return f"<notice-delivery-{self.pk}@{settings.PORTAL_MAIL_DOMAIN}>"


class ThroughDeliveryQuerySet(AgentOwnedQuerySet):
    agent_field = "delivery__agent"


class DeliveryAttempt(models.Model):
    class Outcome(models.TextChoices):
        SENT = "sent", _("Sent")
        RETRY = "retry", _("Temporary failure, retried")
        FAILED = "failed", _("Permanent failure")

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempts")
    channel = models.CharField(max_length=16, default="email")
    kind = models.CharField(max_length=16, default="notice")
    outcome = models.CharField(max_length=8, choices=Outcome.choices)
    detail = models.CharField(max_length=500, blank=True)
    attempted_at = models.DateTimeField(default=timezone.now)

    objects = ThroughDeliveryQuerySet.as_manager()

    class Meta:
        verbose_name = _("delivery attempt")

    def __str__(self):
        return f"{self.delivery_id} {self.channel} {self.outcome}"


class Acknowledgement(AttestedRow, models.Model):
    """An agent's statement that they read and understood one version. Never changed."""

    agent = models.ForeignKey(
        AgentProfile, on_delete=models.PROTECT, related_name="acknowledgements"
    )
    notice = models.ForeignKey(ChangeNoticePage, on_delete=models.PROTECT, related_name="+")
    #: The material version this acknowledgement settles.
    version = models.ForeignKey(NoticeVersion, on_delete=models.PROTECT, related_name="+")
    #: The version actually on screen (a later non-material one, possibly).
    seen_version = models.ForeignKey(NoticeVersion, on_delete=models.PROTECT, related_name="+")
    revision_id = models.PositiveIntegerField(_("revision"))
    content_hash = models.CharField(_("content hash"), max_length=64)
    statement = models.TextField(_("statement"))
    answers = models.JSONField(_("answers to the check"), default=list, blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged at (UTC)"))
    on_time = models.BooleanField(_("on time"))
    audit_record = models.OneToOneField(
        "audit.AuditRecord", on_delete=models.PROTECT, related_name="+"
    )

    objects = AgentOwnedQuerySet.as_manager()

    attested_kind = "notice.acknowledgement"
    attested_moment = "acknowledged_at"
    attested_related = ("version", "seen_version")

    class Meta:
        verbose_name = _("acknowledgement")
        constraints = [
            models.UniqueConstraint(fields=["agent", "version"], name="one_ack_per_version")
        ]
        indexes = [models.Index(fields=["version", "acknowledged_at"])]

    def __str__(self):
        return f"{self.agent_id} ✓ {self.version}"

    def attested_facts(self) -> dict:
        return {
            "notice_id": self.notice_id,
            "version_id": self.version_id,
            "seen_version_id": self.seen_version_id,
            "version": self.version.number,
            "seen_version": self.seen_version.number,
            "revision_id": self.revision_id,
            "content_hash": self.content_hash,
            "answers": self.answers,
            "on_time": self.on_time,
        }

    def attested_inconsistencies(self) -> list[str]:
        # Records written before version ids were attested name the version by number:
        # a row moved to another notice's version is caught here instead.
        if self.version.notice_id == self.seen_version.notice_id == self.notice_id:
            return []
        return ["its versions are not the notice's"]


class Reminder(models.Model):
    """A reminder about one delivery. Scheduled kinds are unique: never sent twice."""

    class Kind(models.TextChoices):
        BEFORE_DUE = "before_due", _("Before the due date")
        AT_DUE = "at_due", _("At the due date")
        MANUAL = "manual", _("Sent by a manager")

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = ThroughDeliveryQuerySet.as_manager()

    class Meta:
        verbose_name = _("reminder")
        constraints = [
            models.UniqueConstraint(
                fields=["delivery", "kind"],
                condition=~models.Q(kind="manual"),
                name="one_scheduled_reminder_per_kind",
            )
        ]

    def __str__(self):
        return f"{self.delivery_id} {self.kind}"


class ManagerOwnedQuerySet(AgentOwnedQuerySet):
    agent_field = "manager__agent_profile"


class EscalationDigest(models.Model):
    """One daily email per manager listing their overdue agents."""

    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    day = models.DateField()
    overdue = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    objects = ManagerOwnedQuerySet.as_manager()

    class Meta:
        verbose_name = _("escalation digest")
        constraints = [
            models.UniqueConstraint(fields=["manager", "day"], name="one_digest_per_manager_day")
        ]

    def __str__(self):
        return f"{self.manager_id} {self.day}"


class VendorWebhook(models.Model):
    """Where to POST a vendor's notices as JSON, e.g. a messenger bot."""

    vendor = models.OneToOneField(
        Vendor, on_delete=models.CASCADE, related_name="notice_webhook", verbose_name=_("vendor")
    )
    url = models.URLField(_("URL"))
    secret = models.CharField(
        _("signing secret"),
        max_length=128,
        help_text=_("Each request carries an HMAC-SHA256 of its body in X-Portal-Signature."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    panels = [
        FieldPanel("vendor"),
        FieldPanel("url"),
        FieldPanel("secret"),
        FieldPanel("is_active"),
    ]

    objects = VendorOwnedQuerySet.as_manager()

    class Meta:
        verbose_name = _("vendor webhook")

    def __str__(self):
        return f"{self.vendor} → {self.url}"


class WebhookCall(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    version = models.ForeignKey(NoticeVersion, on_delete=models.PROTECT, related_name="+")
    vendor = models.ForeignKey(Vendor, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    objects = VendorOwnedQuerySet.as_manager()

    class Meta:
        verbose_name = _("webhook call")
        constraints = [
            models.UniqueConstraint(fields=["version", "vendor"], name="one_webhook_per_version")
        ]

    def __str__(self):
        return f"{self.version} → vendor {self.vendor_id} ({self.status})"


class Change(models.Model):
    """A change: one revision of a policy, article or course, the moment it takes
    effect, and the notice that announces it, in one record so they cannot disagree.

    The revision is scheduled with Wagtail (it goes live at ``effective_at``); the
    notice shows the difference from ``base_revision`` (live when the change was made)
    to ``revision``, so its "what changes" is true by construction.
    """

    # A published notice is kept (it has versions); a draft, or a page deleted with its
    # revisions, takes its changes with it.
    notice = models.ForeignKey(
        ChangeNoticePage,
        on_delete=models.CASCADE,
        related_name="page_changes",
        verbose_name=_("notice"),
    )
    page = models.ForeignKey(
        "wagtailcore.Page", on_delete=models.CASCADE, related_name="+", verbose_name=_("page")
    )
    revision = models.ForeignKey("wagtailcore.Revision", on_delete=models.CASCADE, related_name="+")
    base_revision = models.ForeignKey(
        "wagtailcore.Revision", on_delete=models.CASCADE, null=True, related_name="+"
    )
    effective_at = models.DateTimeField(_("takes effect"))
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    #: When the revision went live; empty while the change is pending.
    took_effect_at = models.DateTimeField(null=True, blank=True)
    #: When another revision was published or scheduled instead of this one.
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("change")
        verbose_name_plural = _("changes")
        constraints = [
            models.UniqueConstraint(fields=["notice", "page"], name="one_change_per_notice_page")
        ]
        indexes = [models.Index(fields=["page", "effective_at"])]

    def __str__(self):
        return f"{self.page_id}@{self.revision_id} ({self.effective_at:%Y-%m-%d %H:%M})"

    @property
    def is_pending(self) -> bool:
        """Waiting to take effect: neither withdrawn here nor unscheduled in Wagtail."""
        return (
            self.took_effect_at is None
            and self.withdrawn_at is None
            and self.revision.approved_go_live_at is not None
        )
