"""The sections under the home page that list what an agent reads: change notices and
training. One of each per site (each names the home page as its parent); each is served
by the view its page type names, so a page model never imports the views that import
it."""

from django.db import models
from django.urls import reverse
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.models import Page, Site

from portal.publishing import publish_new


class SectionIndexPage(Page):
    intro = models.CharField(_("introduction"), max_length=255, blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    max_count = 1
    #: The dotted path of the view serving the section, called as ``view(page, request)``.
    view = ""
    #: Where someone who looks after agents follows this section (a URL name), and the
    #: link's text; the section's head shows it when the view says the reader ``manages``.
    dashboard = ""
    dashboard_label = ""

    class Meta:
        abstract = True

    def serve(self, request, *args, **kwargs):
        return import_string(self.view)(self, request)

    def dashboard_url(self) -> str:
        return reverse(self.dashboard)

    @classmethod
    def ensure(cls, **fields):
        """The site's section of this type; made with ``fields`` under the home page and
        published when there is none (the demo loader and tests build on it)."""
        existing = cls.objects.first()
        if existing is not None:
            return existing
        home = Site.objects.get(is_default_site=True).root_page.specific
        return publish_new(home, cls(**fields))
