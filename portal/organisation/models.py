"""The organisation: the client, its vendors, their teams, and the agents who work there."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from taggit.managers import TaggableManager
from taggit.models import TaggedItemBase

from .roles import Role
from .scoping import Reach, ScopedQuerySet

code_validator = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9_-]*$",
    _("Use letters, digits, '-' and '_' only, starting with a letter or digit."),
)


class Client(models.Model):
    """The company that owns the customers and publishes the content."""

    name = models.CharField(_("name"), max_length=120)
    code = models.CharField(_("code"), max_length=32, unique=True, validators=[code_validator])

    class Meta:
        ordering = ["name"]
        verbose_name = _("client")
        verbose_name_plural = _("clients")

    def __str__(self):
        return self.name


class VendorQuerySet(ScopedQuerySet):
    def scope_filter(self, scope):
        return models.Q(pk=scope.vendor_id)


class Vendor(ClusterableModel):
    """An outsourcing agency running part of the client's customer centre."""

    client = models.ForeignKey(
        Client, on_delete=models.PROTECT, related_name="vendors", verbose_name=_("client")
    )
    name = models.CharField(_("name"), max_length=120)
    code = models.CharField(
        _("code"),
        max_length=32,
        unique=True,
        validators=[code_validator],
        help_text=_("Short code used in roster imports and account names, e.g. HGCS."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    go_live_sign_off = models.BooleanField(
        _("go-live needs a team lead's sign-off"),
        default=False,
        help_text=_("Agents are ready only once their team lead has signed them off."),
    )

    objects = VendorQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("vendor")
        verbose_name_plural = _("vendors")

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        if self.pk and self.is_active:
            was_active = (
                Vendor.objects.unscoped().filter(pk=self.pk).values_list("is_active", flat=True)
            )
            if list(was_active) == [False]:
                for refusal in (check(self) for check in _reactivation_checks):
                    if refusal:
                        raise ValidationError({"is_active": refusal})


#: Checks an upper app adds (``refuse_reactivation``): each says why an inactive vendor
#: may not be made active again (e.g. its accounts ended at its off-boarding), or "".
_reactivation_checks = []


def refuse_reactivation(check) -> None:
    """``check(vendor) -> str``: a reason an inactive vendor stays inactive, or ""."""
    if check not in _reactivation_checks:
        _reactivation_checks.append(check)


class TeamQuerySet(ScopedQuerySet):
    def scope_filter(self, scope):
        if scope.reach is Reach.VENDOR:
            return models.Q(vendor_id=scope.vendor_id)
        return models.Q(pk=scope.team_id)


class Team(models.Model):
    """A vendor's team or site; every agent belongs to one."""

    vendor = ParentalKey(
        Vendor, on_delete=models.CASCADE, related_name="teams", verbose_name=_("vendor")
    )
    name = models.CharField(_("name"), max_length=120)
    code = models.CharField(
        _("code"),
        max_length=32,
        validators=[code_validator],
        help_text=_("Unique within the vendor; roster files may name a team by code or name."),
    )
    site = models.CharField(_("site"), max_length=120, blank=True)

    objects = TeamQuerySet.as_manager()

    class Meta:
        ordering = ["vendor__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["vendor", "code"], name="team_code_unique_in_vendor"),
            models.UniqueConstraint(fields=["vendor", "name"], name="team_name_unique_in_vendor"),
        ]
        verbose_name = _("team")
        verbose_name_plural = _("teams")

    def __str__(self):
        return self.name


class Channel(models.Model):
    """A contact channel agents answer on: phone, chat, email, messenger, SNS."""

    PHONE = "phone"
    CHAT = "chat"
    EMAIL = "email"
    MESSENGER = "messenger"
    SNS = "sns"

    code = models.CharField(_("code"), max_length=16, unique=True)
    name = models.CharField(_("name"), max_length=60)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("channel")
        verbose_name_plural = _("channels")

    def __str__(self):
        return self.name


CHANNELS = [
    (Channel.PHONE, "전화"),
    (Channel.CHAT, "채팅"),
    (Channel.EMAIL, "이메일"),
    (Channel.MESSENGER, "메신저"),
    (Channel.SNS, "SNS"),
]


def ensure_channels() -> None:
    """The fixed set of channels; safe to re-run."""
    for order, (code, name) in enumerate(CHANNELS, start=1):
        Channel.objects.get_or_create(code=code, defaults={"name": name, "sort_order": order})


class AgentSkill(TaggedItemBase):
    """A skill tag on an agent (e.g. 환불, VIP, 영어)."""

    content_object = models.ForeignKey(
        "AgentProfile", on_delete=models.CASCADE, related_name="skill_items"
    )


class AgentProfileQuerySet(ScopedQuerySet):
    def scope_filter(self, scope):
        if scope.reach is Reach.VENDOR:
            return models.Q(vendor_id=scope.vendor_id)
        if scope.reach is Reach.TEAM:
            return models.Q(team_id=scope.team_id)
        return models.Q(pk=scope.agent_id)

    def frontline(self):
        """Active people with the Agents role who neither lead a team nor manage the
        vendor: who go live, take courses and count in readiness."""

        leads = [Role.TEAM_LEAD.value, Role.VENDOR_MANAGER.value]
        return self.filter(
            status=AgentProfile.Status.ACTIVE, user__groups__name=Role.AGENT.value
        ).exclude(user__groups__name__in=leads)

    def active(self):
        return self.filter(status=AgentProfile.Status.ACTIVE)

    def vendor_managers(self):
        """Active people with the Vendor managers role: who answer for a vendor as a
        whole (its readiness, its contract)."""
        return self.active().filter(user__groups__name=Role.VENDOR_MANAGER.value)


class AgentProfile(models.Model):
    """A vendor-side person: an agent, a team lead or a vendor manager.

    Which of those they are is their role (group); the profile says where they work.
    """

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        LEFT = "left", _("Left")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="agent_profile",
        verbose_name=_("user"),
    )
    vendor = models.ForeignKey(
        Vendor, on_delete=models.PROTECT, related_name="agents", verbose_name=_("vendor")
    )
    team = models.ForeignKey(
        Team,
        on_delete=models.PROTECT,
        related_name="agents",
        null=True,
        blank=True,
        verbose_name=_("team"),
        help_text=_("Empty only for vendor managers, who work across teams."),
    )
    employee_number = models.CharField(_("employee number"), max_length=32)
    channels = models.ManyToManyField(
        Channel, blank=True, related_name="agents", verbose_name=_("channels")
    )
    skills = TaggableManager(
        through=AgentSkill, blank=True, verbose_name=_("skills"), related_name="agents"
    )
    go_live_date = models.DateField(_("go-live date"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.ACTIVE
    )
    left_on = models.DateField(_("left on"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AgentProfileQuerySet.as_manager()

    class Meta:
        ordering = ["vendor__name", "team__name", "employee_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["vendor", "employee_number"], name="employee_number_unique_in_vendor"
            ),
        ]
        indexes = [models.Index(fields=["vendor", "status"]), models.Index(fields=["team"])]
        permissions = [("import_roster", _("Can import a vendor's roster"))]
        verbose_name = _("agent")
        verbose_name_plural = _("agents")

    def __str__(self):
        return f"{self.user.get_full_name()} ({self.employee_number})"

    def clean(self):
        super().clean()
        if self.team_id and self.vendor_id and self.team.vendor_id != self.vendor_id:
            raise ValidationError({"team": _("The team belongs to another vendor.")})
        if self.vendor_id and self.status == self.Status.ACTIVE and not self.vendor.is_active:
            # An off-boarded vendor's accounts ended once (handover.offboarding): nobody
            # is added to it, or made active in it, afterwards.
            raise ValidationError(
                {"vendor": _("This vendor is no longer active: nobody can work for it now.")}
            )
        if self.pk and self.vendor_id:
            before = AgentProfile.objects.unscoped().filter(pk=self.pk).values("vendor_id")
            if before and before[0]["vendor_id"] != self.vendor_id and self.has_records():
                raise ValidationError(
                    {
                        "vendor": _(
                            "This person's records belong to their vendor: someone who moves "
                            "to another vendor gets a new profile there."
                        )
                    }
                )

    def has_records(self) -> bool:
        """Whether anything refers to this person besides their skills: deliveries,
        acknowledgements, training, decisions, feedback... whichever app keeps them."""
        for relation in self._meta.related_objects:
            if relation.related_model is AgentSkill or not relation.field.concrete:
                continue
            rows = relation.related_model._base_manager.filter(**{relation.field.name: self})
            if rows.exists():
                return True
        return False


class RosterImportQuerySet(ScopedQuerySet):
    def scope_filter(self, scope):
        return models.Q(vendor_id=scope.vendor_id)


class RosterImport(models.Model):
    """A roster file that was imported: who, when, what it changed.

    Failed imports write nothing, this row included.
    """

    vendor = models.ForeignKey(
        Vendor, on_delete=models.CASCADE, related_name="roster_imports", verbose_name=_("vendor")
    )
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("imported by"),
    )
    imported_at = models.DateTimeField(_("imported at"), auto_now_add=True)
    filename = models.CharField(_("file"), max_length=255, blank=True)
    rows = models.PositiveIntegerField(_("rows"))
    created = models.PositiveIntegerField(_("created"))
    updated = models.PositiveIntegerField(_("updated"))
    unchanged = models.PositiveIntegerField(_("unchanged"))
    deactivated = models.PositiveIntegerField(_("deactivated"))

    objects = RosterImportQuerySet.as_manager()

    class Meta:
        ordering = ["-imported_at"]
        verbose_name = _("roster import")
        verbose_name_plural = _("roster imports")

    def __str__(self):
        return f"{self.vendor} {self.filename} {self.imported_at:%Y-%m-%d %H:%M}"
