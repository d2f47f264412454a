"""A feedback item: what one agent raised on one page, and what became of it."""

from django.conf import settings
from django.db import models
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from portal.organisation.scoping import AgentOwnedQuerySet

from . import lessons

#: Long enough for a careful account of a case; a pasted chat log is refused.
MAX_TEXT = 4000
MAX_QUOTE = 1000


class Kind(models.TextChoices):
    UNCLEAR = "unclear", _("Unclear")
    WRONG = "wrong", _("Wrong")
    # "Missing" elsewhere means what is left to do; here, what the page leaves out.
    MISSING = "missing", pgettext_lazy("feedback kind", "Missing")
    VOC = "voc", _("Customer voice (VOC)")
    IDEA = "idea", _("Idea")


class Status(models.TextChoices):
    NEW = "new", _("New")
    IN_REVIEW = "in_review", _("In review")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    DONE = "done", _("Done")


class FeedbackItemQuerySet(AgentOwnedQuerySet):
    def credited(self):
        resolved = models.Q(resolved_by_revision__isnull=False) | models.Q(
            resolved_by_notice__isnull=False
        )
        return self.filter(resolved, status=Status.DONE)


class FeedbackItem(models.Model):
    agent = models.ForeignKey(
        "organisation.AgentProfile",
        on_delete=models.PROTECT,
        related_name="feedback_items",
        verbose_name=_("agent"),
    )
    page = models.ForeignKey(
        "wagtailcore.Page", on_delete=models.CASCADE, related_name="+", verbose_name=_("page")
    )
    # What the agent was reading: the page may have changed since.
    revision = models.ForeignKey(
        "wagtailcore.Revision",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("revision read"),
    )
    lesson_id = models.CharField(_("lesson"), max_length=64, blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    text = models.TextField(_("feedback"), max_length=MAX_TEXT)
    customer_quote = models.TextField(_("customer's words"), max_length=MAX_QUOTE, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.NEW, db_index=True
    )
    reply = models.TextField(_("reply"), max_length=MAX_TEXT, blank=True)
    # Resolved when raised (``feedback.raising``): a later change of owner on the page
    # does not move the items already in someone's queue.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner"),
        help_text=_("Empty: the client managers answer."),
    )
    resolved_by_revision = models.ForeignKey(
        "wagtailcore.Revision",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("resolved by revision"),
    )
    resolved_by_notice = models.ForeignKey(
        "notices.ChangeNoticePage",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("resolved by notice"),
    )
    created_at = models.DateTimeField(_("raised"), auto_now_add=True, db_index=True)
    #: When the status or the reply last changed.
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    #: When the owner (or the client managers) were emailed about it, claimed first.
    owner_told_at = models.DateTimeField(null=True, blank=True, editable=False)
    #: When the agent last opened "My feedback": later answers are news to them.
    seen_at = models.DateTimeField(null=True, blank=True, editable=False)
    #: When the agent was last emailed about an answer (claimed before sending).
    emailed_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = FeedbackItemQuerySet.as_manager()
    # Not content: a page's "used by" should not list what agents said about it, and
    # Wagtail's indexing task, run with nobody served, may not read vendor-owned rows.
    wagtail_reference_index_ignore = True

    class Meta:
        verbose_name = _("feedback item")
        verbose_name_plural = _("feedback items")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.text[:60]}"

    @property
    def credited(self) -> bool:
        return self.status == Status.DONE and bool(
            self.resolved_by_revision_id or self.resolved_by_notice_id
        )

    @cached_property
    def lesson_title(self) -> str:
        """The lesson's title when the feedback is on a course's lesson, else ""; set for
        many items at once by ``feedback.lessons.with_lesson_titles``."""
        return lessons.lesson_title(self)

    @property
    def is_news(self) -> bool:
        """Answered since the agent last looked."""
        return self.answered_at is not None and (
            self.seen_at is None or self.answered_at > self.seen_at
        )
