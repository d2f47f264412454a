"""The site root page (the agent's "My tasks") and the worker heartbeat."""

from django.contrib.auth.views import redirect_to_login
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.models import Page

from knowledge.models import KnowledgeIndexPage, VisionPage
from knowledge.visibility import visible_pages

from .my_tasks import my_tasks


class HomePage(Page):
    """The site root: each signed-in person's own "내 할 일 / My tasks"."""

    welcome = models.CharField(
        _("welcome line"),
        max_length=255,
        blank=True,
        help_text=_("One line shown above everyone's task list, e.g. this week's focus."),
    )

    content_panels = [*Page.content_panels, FieldPanel("welcome")]

    # Only the root of the site; sections of knowledge and training hang below it.
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = [
        "knowledge.KnowledgeIndexPage",
        "knowledge.VisionPage",
        "notices.NoticeIndexPage",
        "training.TrainingIndexPage",
    ]
    max_count = 1

    class Meta:
        verbose_name = _("home page")

    def serve(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return super().serve(request, *args, **kwargs)

    def get_context(self, request, *args, **kwargs):

        context = super().get_context(request, *args, **kwargs)
        context["tasks"] = my_tasks(request.user)
        # Knowledge only: notices have their own place on this page (the inbox).
        children = self.get_children().type(KnowledgeIndexPage, VisionPage)
        context["sections"] = visible_pages(request.user, children).order_by("path")
        return context


class WorkerHeartbeat(models.Model):
    """Last time each Celery worker ran the beat's heartbeat task: proof the queue moves."""

    worker = models.CharField(max_length=255, unique=True)
    seen_at = models.DateTimeField()

    class Meta:
        verbose_name = _("worker heartbeat")

    def __str__(self):
        return f"{self.worker} {self.seen_at:%Y-%m-%d %H:%M:%S}"
