"""The kinds of page an agent searches, by name: what each hit says it is and what the
facet counts; and the length of a hit's passage. Both search engines
(``knowledge.search`` and ``knowledge.elastic``) read them here."""

from django.utils.translation import gettext_lazy as _

from notices.models import ChangeNoticePage
from training.models import CoursePage

from .models import AnswerPolicyPage, ArticlePage, KnowledgeIndexPage, KnowledgePage, VisionPage

#: Every kind of hit, in the order the facet lists them.
KINDS = {
    "policy": AnswerPolicyPage,
    "article": ArticlePage,
    "notice": ChangeNoticePage,
    "course": CoursePage,
    "vision": VisionPage,
    "section": KnowledgeIndexPage,
}
KIND_LABELS = {
    "policy": _("Answer policy"),
    "article": _("Article"),
    "notice": _("Notice"),
    "course": _("Training"),
    "vision": _("Vision"),
    "section": _("Section"),
}
# Sections only when asked for: their short titles would outrank the content itself.
SEARCHED_KINDS = ["policy", "article", "notice", "course", "vision"]
#: Kinds whose pages are knowledge pages (``knowledge.visibility`` decides who opens them).
KNOWLEDGE_KINDS = [kind for kind, model in KINDS.items() if issubclass(model, KnowledgePage)]
#: Characters of a hit's passage, whichever engine chooses it.
SNIPPET_CHARS = 160


def is_searched(page) -> bool:
    """Is ``page`` (or a page of this class) one of the kinds agents search?"""
    page_class = page if isinstance(page, type) else type(page)
    return issubclass(page_class, tuple(KINDS.values()))


def kind_of(page) -> str:
    return next((kind for kind, model in KINDS.items() if isinstance(page, model)), "page")
