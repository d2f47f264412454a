"""Courses, agents' progress through them, and go-live readiness.

A course is a Wagtail page whose lessons and quiz questions are StreamField blocks: each
keeps its id across revisions, so progress and answers point at ids. Every publish
records a ``CourseVersion``; a *material* version marks the lessons (and the quiz) it
changed, and agents who completed the course review just those. ``CourseProgress`` is
the per-agent summary that dashboards read; ``LessonCompletion`` and ``QuizAttempt`` are
the record behind it. A team lead's ``SignOff`` is recorded like an acknowledgement:
once, never changed, chained in the audit trail.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import StreamField
from wagtail.models import Page

from portal.audiences import AudienceFields, audience_panel, check_audience
from portal.audit.models import AttestedRow
from portal.organisation.models import AgentProfile, Team, Vendor
from portal.organisation.scoping import AgentOwnedQuerySet, VendorOwnedQuerySet
from portal.publishing import MaterialChangeForm, ScheduleCuePanel, VersionedPage, VersionRecord
from portal.sections import SectionIndexPage

from .blocks import LessonsBlock, QuizBlock


class TrainingIndexPage(SectionIndexPage):
    """The list of courses; for an agent, their training and what go-live still needs."""

    parent_page_types = ["home.HomePage"]
    subpage_types = ["training.CoursePage"]
    view = "training.views.serve_training_index"
    dashboard = "training:readiness"
    dashboard_label = _("Go-live readiness of my agents")

    class Meta:
        verbose_name = _("training section")


class CourseForm(MaterialChangeForm):
    def clean(self):
        cleaned = super().clean()
        check_audience(
            self,
            cleaned,
            _("Choose who takes this course: everyone, or vendors, teams or channels."),
        )
        return cleaned


def _view(name: str):
    """An agent-facing view of a course (``training.views``, which imports this module)."""
    return import_string(f"training.views.{name}")


class CoursePage(RoutablePageMixin, VersionedPage, AudienceFields, Page):
    """Ordered lessons and a quiz, for an audience; possibly required before go-live."""

    summary = models.TextField(_("summary"), help_text=_("What the agent will be able to do."))
    estimated_minutes = models.PositiveSmallIntegerField(
        _("estimated duration (minutes)"), validators=[MinValueValidator(1)]
    )
    required_for_go_live = models.BooleanField(_("required for go-live"), default=True)
    #: What agents read: the diff after a material change shows these.
    reader_fields = ["title", "summary", "lessons", "quiz"]
    lessons = StreamField(LessonsBlock(), verbose_name=_("lessons"))
    quiz = StreamField(
        QuizBlock(),
        blank=True,
        verbose_name=_("quiz"),
        help_text=_("Answers are checked on the server; agents never see which is correct."),
    )
    pass_mark = models.PositiveSmallIntegerField(
        _("pass mark (%)"), default=80, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    max_attempts = models.PositiveSmallIntegerField(
        _("attempts allowed"), default=3, help_text=_("0 for no limit.")
    )
    attempt_wait_minutes = models.PositiveIntegerField(
        _("wait between attempts (minutes)"), default=30
    )
    shuffle = models.BooleanField(_("shuffle questions and answers"), default=True)
    material_change_help = _(
        "Agents who completed the course review the lessons changed in this version "
        "(and retake the quiz if it changed). Leave unticked for corrections."
    )

    base_form_class = CourseForm
    content_panels = [
        ScheduleCuePanel(on_publish=_("From then on its learners follow this version.")),
        *Page.content_panels,
        FieldPanel("summary"),
        FieldRowPanel([FieldPanel("estimated_minutes"), FieldPanel("required_for_go_live")]),
        audience_panel(),
        FieldPanel("lessons"),
        MultiFieldPanel(
            [
                FieldPanel("quiz"),
                FieldRowPanel(
                    [
                        FieldPanel("pass_mark"),
                        FieldPanel("max_attempts"),
                        FieldPanel("attempt_wait_minutes"),
                    ]
                ),
                FieldPanel("shuffle"),
            ],
            heading=_("Quiz"),
        ),
        FieldPanel("material_change"),
    ]

    parent_page_types = ["training.TrainingIndexPage"]

    class Meta:
        verbose_name = _("course")
        verbose_name_plural = _("courses")

    @path("")
    def overview(self, request):
        return _view("serve_course")(self, request)

    @path("lessons/<str:lesson_id>/")
    def lesson(self, request, lesson_id):
        return _view("serve_lesson")(self, request, lesson_id)

    @path("lessons/<str:lesson_id>/complete/")
    def complete_lesson(self, request, lesson_id):
        return _view("complete_lesson")(self, request, lesson_id)

    @path("quiz/")
    def take_quiz(self, request):
        return _view("serve_quiz")(self, request)

    @path("quiz/attempts/<int:attempt_id>/")
    def quiz_result(self, request, attempt_id):
        return _view("serve_attempt")(self, request, attempt_id)

    def lesson_block(self, lesson_id: str):
        return next((block for block in self.lessons if block.id == lesson_id), None)

    @property
    def has_quiz(self) -> bool:
        return len(self.quiz) > 0

    def search_text(self) -> dict[str, str]:
        """Text by field for the agents' search (``searchindex``)."""
        return {"title": self.title, "summary": self.summary, "body": self._lessons_text()}

    def _lessons_text(self) -> str:
        lessons = [
            " ".join(block.block.get_searchable_content(block.value)) for block in self.lessons
        ]
        # The questions as worded, never their answers: search must not hint which is right.
        questions = [block.value["question"] for block in self.quiz]
        return "\n".join([*lessons, *questions])


class CourseVersion(VersionRecord):
    """One published version of a course: each lesson's content hash, and since which
    material version it (and the quiz) has stood unchanged."""

    course = models.ForeignKey(CoursePage, on_delete=models.PROTECT, related_name="versions")
    #: [{"id", "title", "hash", "since"}] in lesson order; ``since`` is the version number
    #: from which a completion of that lesson counts.
    lessons = models.JSONField(default=list)
    quiz_hash = models.CharField(max_length=64, blank=True)
    quiz_since = models.PositiveIntegerField(default=1)

    page_field = "course"

    class Meta:
        verbose_name = _("course version")
        constraints = [
            models.UniqueConstraint(fields=["course", "number"], name="course_version_number")
        ]
        ordering = ["course", "number"]

    def lesson_since(self, lesson_id: str) -> int | None:
        return next((item["since"] for item in self.lessons if item["id"] == lesson_id), None)


class CourseProgress(models.Model):
    """Where one agent stands in one course: what dashboards and the resume button read."""

    agent = models.ForeignKey(AgentProfile, on_delete=models.CASCADE, related_name="+")
    course = models.ForeignKey(CoursePage, on_delete=models.CASCADE, related_name="progress")
    started_at = models.DateTimeField(default=timezone.now)
    last_lesson_id = models.CharField(max_length=64, blank=True)
    lessons_done = models.PositiveSmallIntegerField(default=0)
    lessons_total = models.PositiveSmallIntegerField(default=0)
    quiz_passed = models.BooleanField(default=False)
    best_score = models.PositiveSmallIntegerField(null=True, blank=True)
    #: The version at which every lesson and the quiz were done; the course counts as
    #: passed while no later material version changed something.
    completed_version = models.PositiveIntegerField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    #: When the agent was asked to review a material revision (once per version).
    review_requested_version = models.PositiveIntegerField(null=True, blank=True)

    objects = AgentOwnedQuerySet.as_manager()

    class Meta:
        verbose_name = _("course progress")
        constraints = [
            models.UniqueConstraint(fields=["agent", "course"], name="one_progress_per_course")
        ]

    def __str__(self):
        return f"{self.agent_id} in {self.course_id}"

    @property
    def percent(self) -> int:
        """Lessons done, and the quiz passed if the course has one, as a share of all
        (what the course page's label counts)."""
        quiz = 1 if self.course.has_quiz else 0
        steps = self.lessons_total + quiz
        done = self.lessons_done + (1 if quiz and self.quiz_passed else 0)
        if not steps:
            return 100 if self.quiz_passed else 0
        return min(100, round(100 * done / steps))


class LessonCompletion(models.Model):
    """An agent finished a lesson as it stood in a version of the course."""

    agent = models.ForeignKey(AgentProfile, on_delete=models.CASCADE, related_name="+")
    course = models.ForeignKey(CoursePage, on_delete=models.CASCADE, related_name="+")
    lesson_id = models.CharField(max_length=64)
    version = models.ForeignKey(CourseVersion, on_delete=models.PROTECT, related_name="+")
    version_number = models.PositiveIntegerField()
    completed_at = models.DateTimeField(default=timezone.now)

    objects = AgentOwnedQuerySet.as_manager()

    class Meta:
        verbose_name = _("lesson completion")
        constraints = [
            models.UniqueConstraint(
                fields=["agent", "course", "lesson_id", "version_number"],
                name="one_completion_per_lesson_version",
            )
        ]

    def __str__(self):
        return f"{self.agent_id} ✓ {self.lesson_id}"


class QuizAttempt(models.Model):
    """One attempt at a course's quiz: the order it was shown in, the answers, the score.

    Opened when the agent starts the quiz (the shuffled order is fixed then) and
    submitted once; only submitted attempts count against the limit.
    """

    agent = models.ForeignKey(AgentProfile, on_delete=models.CASCADE, related_name="+")
    course = models.ForeignKey(CoursePage, on_delete=models.CASCADE, related_name="attempts")
    version = models.ForeignKey(CourseVersion, on_delete=models.PROTECT, related_name="+")
    #: The quiz's ``quiz_since``: attempts at an older quiz do not count against the limit.
    quiz_version = models.PositiveIntegerField()
    #: [{"id": question id, "options": [option ids in the order shown]}]
    shown = models.JSONField(default=list)
    answers = models.JSONField(_("answers"), default=dict)
    correct = models.PositiveSmallIntegerField(null=True)
    total = models.PositiveSmallIntegerField(null=True)
    score = models.PositiveSmallIntegerField(_("score (%)"), null=True)
    passed = models.BooleanField(_("passed"), null=True)
    started_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)

    objects = AgentOwnedQuerySet.as_manager()

    class Meta:
        verbose_name = _("quiz attempt")
        indexes = [models.Index(fields=["agent", "course", "quiz_version"])]
        constraints = [
            # At most one open attempt per agent and course.
            models.UniqueConstraint(
                fields=["agent", "course"],
                condition=models.Q(submitted_at__isnull=True),
                name="one_open_attempt",
            )
        ]

    def __str__(self):
        return f"{self.agent_id} quiz {self.course_id} ({self.score})"


class SignOff(AttestedRow, models.Model):
    """A team lead's statement that an agent is ready to go live. Never changed."""

    agent = models.OneToOneField(AgentProfile, on_delete=models.PROTECT, related_name="+")
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    statement = models.TextField(_("statement"))
    signed_at = models.DateTimeField(_("signed at (UTC)"))
    audit_record = models.OneToOneField(
        "audit.AuditRecord", on_delete=models.PROTECT, related_name="+"
    )

    objects = AgentOwnedQuerySet.as_manager()

    attested_kind = "training.sign_off"
    attested_moment = "signed_at"
    attested_related = ()

    class Meta:
        verbose_name = _("go-live sign-off")

    def __str__(self):
        return f"{self.agent_id} signed off by {self.signed_by_id}"

    def attested_facts(self) -> dict:
        return {"signed_by": self.signed_by_id}


class CohortQuerySet(VendorOwnedQuerySet):
    team_field = "team"


class ReadinessSnapshot(models.Model):
    """A cohort's readiness on one day, for the chart towards go-live (written by beat)."""

    day = models.DateField()
    vendor = models.ForeignKey(Vendor, on_delete=models.CASCADE, related_name="+")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+")
    go_live_date = models.DateField()
    agents = models.PositiveIntegerField()
    ready = models.PositiveIntegerField()

    objects = CohortQuerySet.as_manager()

    class Meta:
        verbose_name = _("readiness snapshot")
        constraints = [
            models.UniqueConstraint(
                fields=["day", "vendor", "team", "go_live_date"],
                name="one_snapshot_per_cohort_day",
            )
        ]

    def __str__(self):
        return f"{self.day} team {self.team_id}: {self.ready}/{self.agents}"


class TrainingNudge(models.Model):
    """A reminder to an agent about missing training before go-live; never sent twice."""

    agent = models.ForeignKey(AgentProfile, on_delete=models.CASCADE, related_name="+")
    go_live_date = models.DateField()
    days_before = models.PositiveSmallIntegerField()
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    objects = AgentOwnedQuerySet.as_manager()

    class Meta:
        verbose_name = _("training reminder")
        constraints = [
            models.UniqueConstraint(
                fields=["agent", "go_live_date", "days_before"], name="one_nudge_per_step"
            )
        ]

    def __str__(self):
        return f"{self.agent_id} D-{self.days_before}"


class CohortAlert(models.Model):
    """A cohort reached 100%, or will not be ready in time: told to its managers once."""

    class Kind(models.TextChoices):
        READY = "ready", _("Everyone is ready")
        AT_RISK = "at_risk", _("Will not be ready in time")

    vendor = models.ForeignKey(Vendor, on_delete=models.CASCADE, related_name="+")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+")
    go_live_date = models.DateField()
    kind = models.CharField(max_length=8, choices=Kind.choices)
    agents = models.PositiveIntegerField(default=0)
    ready = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    objects = CohortQuerySet.as_manager()

    class Meta:
        verbose_name = _("cohort alert")
        constraints = [
            models.UniqueConstraint(
                fields=["vendor", "team", "go_live_date", "kind"],
                name="one_alert_per_cohort_kind",
            )
        ]

    def __str__(self):
        return f"{self.team_id} {self.go_live_date} {self.kind}"
