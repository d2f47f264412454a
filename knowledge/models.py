"""Knowledge pages: sections, product articles, the vision, and answer policies.

Every knowledge page shares ``KnowledgePage``: a summary, tags, products and channels
for filtering, an owner, an optional audience (vendors or teams) and login-only
serving through ``knowledge.visibility``.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.db import models
from django.http import Http404
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy as _
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from taggit.models import TaggedItemBase
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable, Page
from wagtail.search import index
from wagtail.snippets.models import register_snippet

from portal.organisation.roles import CLIENT_ROLES
from portal.publishing import ScheduleCuePanel
from searchindex.korean import analyse

from .blocks import KnowledgeBodyBlock
from .changes import changes_since, published_versions
from .forms import KnowledgePageForm


@register_snippet
class Product(models.Model):
    """A product or service line of the client, for filtering knowledge (e.g. 멤버십)."""

    name = models.CharField(_("name"), max_length=80, unique=True)
    code = models.SlugField(_("code"), max_length=40, unique=True, allow_unicode=True)

    panels = [FieldPanel("name"), FieldPanel("code")]

    class Meta:
        ordering = ["name"]
        verbose_name = _("product")
        verbose_name_plural = _("products")

    def __str__(self):
        return self.name


class KnowledgeTag(TaggedItemBase):
    content_object = ParentalKey(
        "wagtailcore.Page", on_delete=models.CASCADE, related_name="knowledge_tag_items"
    )


class KnowledgeAudience(Orderable):
    """Limits a page (and everything below it) to a vendor or a team. None: everyone."""

    page = ParentalKey(
        "wagtailcore.Page", on_delete=models.CASCADE, related_name="knowledge_audience"
    )
    vendor = models.ForeignKey(
        "organisation.Vendor",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("vendor"),
    )
    team = models.ForeignKey(
        "organisation.Team",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("team"),
    )

    panels = [FieldPanel("vendor"), FieldPanel("team")]

    class Meta(Orderable.Meta):
        verbose_name = _("audience")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(vendor__isnull=False) | models.Q(team__isnull=False),
                name="knowledge_audience_names_vendor_or_team",
            )
        ]

    def __str__(self):
        return str(self.team or self.vendor)


class KnowledgePage(Page):
    """What every knowledge page has. Abstract: never created on its own."""

    summary = models.TextField(
        _("summary"), blank=True, help_text=_("One or two sentences shown in lists and search.")
    )
    tags = ClusterTaggableManager(through=KnowledgeTag, blank=True, verbose_name=_("tags"))
    products = ParentalManyToManyField(Product, blank=True, verbose_name=_("products"))
    channels = ParentalManyToManyField(
        "organisation.Channel", blank=True, verbose_name=_("channels")
    )
    external_id = models.CharField(
        _("external ID"),
        max_length=100,
        blank=True,
        db_index=True,
        help_text=_("The ID of this content in the system it was imported from."),
    )
    owner_name = models.CharField(
        _("owner"),
        max_length=120,
        blank=True,
        help_text=_("The person or team answerable for this content."),
    )

    class ReviewInterval(models.IntegerChoices):
        DAYS_30 = 30, _("Every 30 days")
        DAYS_90 = 90, _("Every 90 days")
        DAYS_180 = 180, _("Every 180 days")
        DAYS_365 = 365, _("Every 365 days")

    # Wagtail's own ``Page.owner`` is whoever created the page; the person who keeps the
    # content true is another matter, hence another name.
    content_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("content owner"),
        # Client staff: vendor-side people never enter the admin, so could never review.
        limit_choices_to=models.Q(is_active=True, agent_profile__isnull=True)
        & (
            models.Q(groups__name__in=[role.value for role in CLIENT_ROLES])
            | models.Q(is_superuser=True)
        ),
        help_text=_(
            "The client staff member who keeps this page true. They are reminded when "
            "its review falls due."
        ),
    )
    review_interval_days = models.PositiveSmallIntegerField(
        _("review interval"),
        choices=ReviewInterval.choices,
        default=ReviewInterval.DAYS_90,
        # Not required in the form: left out (forms written before it existed) or empty,
        # it is the default (``clean``).
        blank=True,
        # Rows written by SQL (benchmarks/search.py) get the default from the database.
        db_default=ReviewInterval.DAYS_90,
    )
    # Set by publishing and by "Mark as verified", never by the edit form. A revision's
    # copy is ignored (``with_content_json``): an old revision cannot bring back an old date.
    verified_at = models.DateTimeField(_("last verified"), null=True, blank=True, editable=False)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("verified by"),
    )

    #: What readers see, in order: the fields a diff shows (``portal.diffs``).
    reader_fields = ["title", "summary"]

    search_fields = [
        *Page.search_fields,
        index.SearchField("search_terms"),
        index.FilterField("content_type"),
    ]
    # Wagtail's search backend is kept up to date by ``searchindex`` instead, which an
    # import can defer to one bulk pass (``searchindex.deferred``).
    search_auto_update = False
    #: Above every knowledge page's form: when publishing takes effect.
    schedule_panels = [ScheduleCuePanel()]
    audience_panels = [
        InlinePanel(
            "knowledge_audience",
            heading=_("Audience"),
            label=_("Vendor or team"),
            help_text=_("Leave empty for everyone. Applies to the pages below this one too."),
        )
    ]
    taxonomy_panels = [
        MultiFieldPanel(
            [FieldPanel("tags"), FieldPanel("products"), FieldPanel("channels")],
            heading=_("Tags and taxonomy"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("content_owner"),
                FieldPanel(
                    "owner_name",
                    heading=_("Owner shown to agents (name or team)"),
                    help_text=_("Shown when no content owner is chosen."),
                ),
                FieldPanel("review_interval_days"),
                FieldPanel("verified_at", read_only=True),
                FieldPanel("verified_by", read_only=True),
            ],
            heading=_("Owner and review"),
        ),
        FieldPanel("external_id", read_only=True),
    ]

    # A copy is new content: nobody has verified it yet.
    exclude_fields_in_copy = ["verified_at", "verified_by"]

    class Meta:
        abstract = True

    def body_text(self) -> str:
        """Plain text of the page's own content, for search; page types add theirs."""
        return self.summary

    def search_terms(self) -> str:
        return analyse(f"{self.title}\n{self.body_text()}")

    def search_text(self) -> dict[str, str]:
        """Text by field for the agents' search (``searchindex``)."""
        return {"title": self.title, "summary": self.summary, "body": self.body_text()}

    def is_expired(self) -> bool:
        return bool(self.expire_at and self.expire_at <= timezone.now())

    def clean(self):
        super().clean()
        if self.review_interval_days in (None, ""):
            self.review_interval_days = self.ReviewInterval.DAYS_90

    @property
    def owner_display_name(self) -> str:
        """The content owner's name, else the free-text owner (e.g. a team)."""
        if self.content_owner_id:
            return self.content_owner.get_full_name()
        return self.owner_name

    @property
    def verified_on(self):
        """When the content was last confirmed true: a verification or, before the first
        one, the last publish (publishing verifies)."""
        return self.verified_at or self.last_published_at

    @property
    def review_due(self):
        """When the content must be verified again; None for a page never published."""
        base = self.verified_on
        return base + timedelta(days=self.review_interval_days) if base else None

    @property
    def is_review_overdue(self) -> bool:
        due = self.review_due
        return due is not None and due <= timezone.now()

    def with_content_json(self, content):
        # Verification belongs to the page as a whole, like Wagtail's ``live`` or
        # ``locked``: a revision being edited, previewed or published keeps the row's.
        page = super().with_content_json(content)
        page.verified_at = self.verified_at
        page.verified_by_id = self.verified_by_id
        # A revision saved before owners existed says nothing about them: the row's
        # (filled in from ``owner_name`` by migration 0002) stands.
        for name in ("content_owner", "review_interval_days"):
            if name not in content:
                attname = self._meta.get_field(name).attname
                setattr(page, attname, getattr(self, attname))
        return page

    def serve(self, request, *args, **kwargs):
        from .visibility import can_view  # visibility imports this module

        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not can_view(request.user, self):
            raise Http404
        return super().serve(request, *args, **kwargs)


def streamfield_text(page, field_name: str) -> str:
    field = page._meta.get_field(field_name)
    return "\n".join(field.get_searchable_content(getattr(page, field_name)))


class KnowledgeIndexPage(KnowledgePage):
    """A section of knowledge (e.g. 주문·배송, 결제·환불) listing what is inside."""

    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "link"])

    reader_fields = ["title", "summary", "intro"]

    content_panels = [
        *KnowledgePage.schedule_panels,
        *Page.content_panels,
        FieldPanel("summary"),
        FieldPanel("intro"),
    ]
    settings_panels = [*Page.settings_panels, *KnowledgePage.audience_panels]
    promote_panels = [*Page.promote_panels, *KnowledgePage.taxonomy_panels]

    # Sections nest and hold every kind of knowledge; they hang from the home page.
    parent_page_types = ["home.HomePage", "knowledge.KnowledgeIndexPage"]
    subpage_types = [
        "knowledge.KnowledgeIndexPage",
        "knowledge.ArticlePage",
        "knowledge.AnswerPolicyPage",
    ]

    class Meta:
        verbose_name = _("knowledge section")

    def get_context(self, request, *args, **kwargs):
        from .visibility import visible_pages  # visibility imports this module

        context = super().get_context(request, *args, **kwargs)
        context["children"] = (
            visible_pages(request.user, self.get_children()).specific().order_by("title")
        )
        return context


class ArticlePage(KnowledgePage):
    """Product or service knowledge an agent studies and looks up."""

    body = StreamField(KnowledgeBodyBlock(), verbose_name=_("body"), blank=True)

    reader_fields = ["title", "summary", "body"]
    content_panels = [
        *KnowledgePage.schedule_panels,
        *Page.content_panels,
        FieldPanel("summary"),
        FieldPanel("body"),
    ]
    settings_panels = [*Page.settings_panels, *KnowledgePage.audience_panels]
    promote_panels = [*Page.promote_panels, *KnowledgePage.taxonomy_panels]

    # An article is a leaf inside a section.
    parent_page_types = ["knowledge.KnowledgeIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("article")

    def body_text(self) -> str:
        return f"{self.summary}\n{streamfield_text(self, 'body')}"


class VisionPage(KnowledgePage):
    """The client's vision, values and plans, shared candidly with every agent."""

    vision = RichTextField(_("vision"), blank=True)
    values = StreamField(KnowledgeBodyBlock(), verbose_name=_("values and plans"), blank=True)

    reader_fields = ["title", "summary", "vision", "values"]

    content_panels = [
        *KnowledgePage.schedule_panels,
        *Page.content_panels,
        FieldPanel("summary"),
        FieldPanel("vision"),
        FieldPanel("values"),
    ]
    settings_panels = [*Page.settings_panels, *KnowledgePage.audience_panels]
    promote_panels = [*Page.promote_panels, *KnowledgePage.taxonomy_panels]

    # One vision, directly under the home page.
    parent_page_types = ["home.HomePage"]
    subpage_types = []
    max_count = 1

    class Meta:
        verbose_name = _("vision page")

    def body_text(self) -> str:
        return f"{self.summary}\n{strip_tags(self.vision)}\n{streamfield_text(self, 'values')}"


class AuthorityLevel(models.TextChoices):
    AGENT_DECIDES = "agent", _("Agent decides")
    AGENT_REPORTS = "agent_reports", _("Agent decides and reports afterwards")
    TEAM_LEAD = "team_lead", _("Team lead approves")
    CLIENT = "client", _("Escalate to the client")


class AnswerPolicyPage(KnowledgePage):
    """Pre-delegated authority (권한 이양) for one customer situation: structured, not prose."""

    situation = models.TextField(_("customer situation"))
    authority = models.CharField(
        _("authority level"),
        max_length=16,
        choices=AuthorityLevel.choices,
        default=AuthorityLevel.AGENT_REPORTS,
    )
    limit_amount_krw = models.PositiveIntegerField(
        _("limit (KRW)"), null=True, blank=True, help_text=_("Largest amount the agent may grant.")
    )
    limit_times_per_customer = models.PositiveSmallIntegerField(
        _("times per customer"), null=True, blank=True
    )
    limit_window_days = models.PositiveSmallIntegerField(
        _("within (days)"),
        null=True,
        blank=True,
        help_text=_("The period the per-customer count applies to, e.g. 30 days."),
    )
    conditions = RichTextField(
        _("conditions"), blank=True, features=["bold", "italic", "ul", "ol", "link"]
    )
    exclusions = RichTextField(
        _("exclusions"), blank=True, features=["bold", "italic", "ul", "ol", "link"]
    )
    escalation_route = models.TextField(_("escalation route"), blank=True)
    escalation_contact = models.CharField(_("escalation contact"), max_length=200, blank=True)
    effective_from = models.DateField(_("effective from"), default=timezone.localdate)
    effective_until = models.DateField(_("effective until"), null=True, blank=True)

    reader_fields = [
        "title",
        "summary",
        "situation",
        "authority",
        "limit_amount_krw",
        "limit_times_per_customer",
        "limit_window_days",
        "conditions",
        "exclusions",
        "scripts",
        "escalation_route",
        "escalation_contact",
        "effective_from",
        "effective_until",
    ]
    reader_labels = {"scripts": _("Approved answer scripts")}
    #: A change of these is a change of the rule: publishing it without a notice asks.
    material_fields = [name for name in reader_fields if name not in ("title", "summary")]
    content_panels = [
        *KnowledgePage.schedule_panels,
        *Page.content_panels,
        FieldPanel("summary"),
        FieldPanel("situation"),
        MultiFieldPanel(
            [
                FieldPanel("authority"),
                FieldPanel("limit_amount_krw"),
                FieldPanel("limit_times_per_customer"),
                FieldPanel("limit_window_days"),
            ],
            heading=_("Authority and limits"),
        ),
        FieldPanel("conditions"),
        FieldPanel("exclusions"),
        InlinePanel("scripts", heading=_("Approved answer scripts"), label=_("Script")),
        MultiFieldPanel(
            [FieldPanel("escalation_route"), FieldPanel("escalation_contact")],
            heading=_("Escalation"),
        ),
        MultiFieldPanel(
            [FieldPanel("effective_from"), FieldPanel("effective_until")],
            heading=_("Effective period"),
        ),
        *KnowledgePageForm.publish_panels(),
    ]
    base_form_class = KnowledgePageForm
    settings_panels = [*Page.settings_panels, *KnowledgePage.audience_panels]
    promote_panels = [*Page.promote_panels, *KnowledgePage.taxonomy_panels]

    # A policy is a leaf inside a section.
    parent_page_types = ["knowledge.KnowledgeIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("answer policy")
        verbose_name_plural = _("answer policies")

    def body_text(self) -> str:
        return "\n".join([self.summary, self._rules_text(), self._scripts_text()])

    def search_text(self) -> dict[str, str]:
        # The scripts are their own field: agents search for what to say.
        return {
            "title": self.title,
            "summary": self.summary,
            "body": self._rules_text(),
            "scripts": self._scripts_text(),
        }

    def _rules_text(self) -> str:
        return "\n".join(
            [
                self.situation if self.situation != self.summary else "",
                strip_tags(self.conditions),
                strip_tags(self.exclusions),
                self.escalation_route,
            ]
        )

    def _scripts_text(self) -> str:
        return "\n".join(script.text for script in self.scripts.all())

    def is_expired(self) -> bool:
        return super().is_expired() or bool(
            self.effective_until and self.effective_until < timezone.localdate()
        )

    @property
    def agent_may_decide(self) -> bool:
        return self.authority in (AuthorityLevel.AGENT_DECIDES, AuthorityLevel.AGENT_REPORTS)

    def get_context(self, request, *args, **kwargs):
        from .policy_summary import summarise  # policy_summary imports this module

        context = super().get_context(request, *args, **kwargs)
        context["summary_lines"] = summarise(self)
        context["scripts"] = list(self.scripts.all())
        context["versions"] = published_versions(self)
        since = request.GET.get("since", "")
        if since.isdigit():
            context["since"] = int(since)
            context["changes"] = changes_since(self, int(since), request.user)
        return context


class AnswerScript(Orderable):
    """The approved wording of a policy's answer on one channel."""

    CHANNELS = [
        ("phone", _("Phone")),
        ("chat", _("Chat")),
        ("email", _("Email")),
        ("messenger", _("Messenger")),
        ("sns", _("SNS")),
    ]

    page = ParentalKey(AnswerPolicyPage, on_delete=models.CASCADE, related_name="scripts")
    channel = models.CharField(_("channel"), max_length=16, choices=CHANNELS)
    text = models.TextField(_("script"))

    panels = [FieldPanel("channel"), FieldPanel("text")]

    class Meta(Orderable.Meta):
        verbose_name = _("answer script")

    def __str__(self):
        return f"{self.get_channel_display()}: {self.text[:40]}"


class ReviewReminder(models.Model):
    """A knowledge page falling due for review, told once per due date: to its content
    owner, or to the client managers when it has none (``knowledge.verification``)."""

    page = models.ForeignKey("wagtailcore.Page", on_delete=models.CASCADE, related_name="+")
    #: The local date the review fell due; a new verification starts a new period.
    due_on = models.DateField()
    #: Who was told; empty when the page had no owner and the client managers were.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("review reminder")
        constraints = [
            models.UniqueConstraint(fields=["page", "due_on"], name="one_review_reminder_per_due")
        ]

    def __str__(self):
        return f"{self.page_id} due {self.due_on}"
