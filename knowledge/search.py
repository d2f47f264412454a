"""Search over everything an agent reads: the one interface the search page, the JSON
endpoint and ``evaluate_search`` use.

Answer policies, articles and the vision page, live change notices still in effect, and
courses with their lessons. Query and content all go through ``knowledge.korean``
(each page type indexes a ``search_terms`` field of analysed text), and results are
narrowed to what the reader may open before anything is counted or shown: knowledge
pages by ``knowledge.visibility`` in the database, notices and courses by their rules
in ``portal.visibility``. Each hit says its kind, and the results count their kinds
(the facet) before a kind is chosen, so the counts and the filtered lists agree.

Ranked candidates come from ``knowledge.ranking`` (Wagtail's configured backend, with a
faster index-backed query on PostgreSQL); an Elasticsearch backend can take its place
there without callers noticing. This module sits above the notices and training apps:
it reads their pages, they never import it.
"""

import re
from collections import Counter
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Paginator
from django.db.models import Q, prefetch_related_objects
from django.utils import timezone
from django.utils.html import escape, strip_tags
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from wagtail.models import Page

from notices.models import ChangeNoticePage, in_effect
from portal.visibility import visible_page_ids
from training.models import CoursePage

from .korean import terms
from .models import AnswerPolicyPage, ArticlePage, KnowledgeIndexPage, KnowledgePage, VisionPage
from .ranking import ranked_page_ids
from .visibility import visible_pages

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
PER_PAGE = 10
#: How many ranked matches are considered; nobody reads past a few pages mid-call.
MAX_CANDIDATES = 300
SNIPPET_CHARS = 160


@dataclass
class SearchHit:
    page: Page
    kind: str
    snippet: str
    #: Where the hit opens: the page, or for a course the lesson that matched best.
    url: str = ""
    #: The matching lesson's title, shown under the course's.
    lesson_title: str = ""

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.kind, "")


@dataclass
class Facet:
    kind: str
    count: int

    @property
    def label(self) -> str:
        return KIND_LABELS[self.kind]


@dataclass
class SearchResults:
    query: str
    hits: list[SearchHit] = field(default_factory=list)
    total: int = 0
    page_number: int = 1
    num_pages: int = 1
    #: Matches per kind for the query (and tag), whichever kind is chosen.
    facets: list[Facet] = field(default_factory=list)

    @property
    def total_all_kinds(self) -> int:
        """What "everything" holds (sections, shown only when chosen, are not in it)."""
        return sum(facet.count for facet in self.facets if facet.kind in SEARCHED_KINDS)


def kind_of(page) -> str:
    return next((kind for kind, model in KINDS.items() if isinstance(page, model)), "page")


def search_knowledge(
    user, query: str, *, kind: str = "", tag: str = "", page: int = 1, per_page: int = PER_PAGE
) -> SearchResults:
    query = (query or "").strip()
    results = SearchResults(query=query)
    query_terms = terms(query)
    if not query_terms and not tag:
        return results

    kinds = SEARCHED_KINDS + (["section"] if kind == "section" else [])
    models = [KINDS[k] for k in kinds]
    if query_terms:
        # The backend ranks but may filter only on indexed fields: take the best
        # candidates from it, then keep those the reader may open, in rank order.
        ranked_ids = ranked_page_ids(query_terms, models, MAX_CANDIDATES)
        found = _readable(user, ranked_ids, models, tag)
    else:
        found = _tagged(user, models, tag)

    counts = Counter(found_kind for _pk, found_kind in found)
    results.facets = [Facet(k, counts[k]) for k in kinds if counts[k] or k == kind]
    if kind in KINDS:
        found = [(pk, found_kind) for pk, found_kind in found if found_kind == kind]

    paginator = Paginator(found, per_page)
    current = paginator.get_page(page)
    results.total = paginator.count
    results.page_number = current.number
    results.num_pages = paginator.num_pages
    results.hits = _hits([pk for pk, _kind in current], query_terms)
    return results


def _readable(user, ranked_ids: list[int], models, tag: str) -> list[tuple[int, str]]:
    """(pk, kind) of the ranked pages ``user`` may open, in rank order."""
    knowledge_models = [m for m in models if issubclass(m, KnowledgePage)]
    pages = _narrow(user, Page.objects.filter(pk__in=ranked_ids).type(*knowledge_models), tag)
    kinds = {pk: _kind_of_type(type_id) for pk, type_id in pages.values_list("pk", "content_type")}
    if not tag:
        # Notices and courses carry no tags: a tag asks for knowledge pages only.
        kinds |= _readable_notices_and_courses(user, ranked_ids)
    return [(pk, kinds[pk]) for pk in ranked_ids if pk in kinds]


def _readable_notices_and_courses(user, ranked_ids: list[int]) -> dict[int, str]:
    """Notices still in effect and live courses among the candidates, that ``user`` may
    open; decided before paging, so a page of results is never short."""
    notices_in_effect = ChangeNoticePage.objects.filter(in_effect(timezone.now())).values("pk")
    course_type = ContentType.objects.get_for_model(CoursePage)
    # Whether a course is live, ``visible_page_ids`` checks, as for every page.
    rows = (
        Page.objects.filter(pk__in=ranked_ids)
        .filter(Q(content_type=course_type) | Q(pk__in=notices_in_effect))
        .values_list("pk", "content_type")
    )
    candidates = {pk: _kind_of_type(type_id) for pk, type_id in rows}
    allowed = visible_page_ids(user, candidates)
    return {pk: kind for pk, kind in candidates.items() if pk in allowed}


def _tagged(user, models, tag: str) -> list[tuple[int, str]]:
    """Knowledge pages with ``tag`` that ``user`` may open, newest first."""
    knowledge_models = [m for m in models if issubclass(m, KnowledgePage)]
    pages = _narrow(user, Page.objects.type(*knowledge_models), tag).order_by("-last_published_at")
    return [(pk, _kind_of_type(type_id)) for pk, type_id in pages.values_list("pk", "content_type")]


def _narrow(user, pages, tag):
    pages = visible_pages(user, pages)
    if tag:
        pages = pages.filter(knowledge_tag_items__tag__slug=tag).distinct()
    return pages


def _kind_of_type(content_type_id: int) -> str:
    # ContentType's cache answers this without a query after the first search.
    model = ContentType.objects.get_for_id(content_type_id).model_class()
    return next((kind for kind, kind_model in KINDS.items() if kind_model is model), "page")


def _hits(page_ids: list[int], query_terms: list[str]) -> list[SearchHit]:
    pages = {p.pk: p for p in Page.objects.filter(pk__in=page_ids).specific()}
    # A policy's text includes its scripts: one query for the page, not one per policy.
    policies = [p for p in pages.values() if isinstance(p, AnswerPolicyPage)]
    prefetch_related_objects(policies, "scripts")
    return [_hit(pages[pk], query_terms) for pk in page_ids if pk in pages]


def _hit(page, query_terms: list[str]) -> SearchHit:
    if isinstance(page, CoursePage):
        return _course_hit(page, query_terms)
    return SearchHit(
        page=page,
        kind=kind_of(page),
        snippet=snippet_of(reading_text(page), query_terms),
        url=page.url,
    )


def _course_hit(course, query_terms: list[str]) -> SearchHit:
    """A course opens at the lesson that matches more of the query than the course's own
    title and summary do; otherwise at the course."""
    pattern = _pattern(query_terms)
    best, best_text = None, course.summary
    best_score = _matched_terms(pattern, f"{course.title}\n{course.summary}")
    for block in course.lessons:
        text = lesson_text(block)
        score = _matched_terms(pattern, text)
        if score > best_score:
            best, best_text, best_score = block, text, score
    if best is None:
        return SearchHit(
            page=course,
            kind="course",
            snippet=snippet_of(course.summary, query_terms),
            url=course.url,
        )
    return SearchHit(
        page=course,
        kind="course",
        snippet=snippet_of(best_text, query_terms),
        url=f"{course.url}lessons/{best.id}/",
        lesson_title=best.value["title"],
    )


def reading_text(page) -> str:
    """Plain text of what the reader sees on a knowledge page or notice, for its snippet
    (a course's comes from the lesson that matched, ``_course_hit``)."""
    if isinstance(page, ChangeNoticePage):
        return f"{page.summary}\n{strip_tags(page.changes)}"
    return page.body_text()


def lesson_text(block) -> str:
    """A lesson's title and body as plain text (what ``CoursePage.search_terms`` indexes)."""
    return " ".join(block.block.get_searchable_content(block.value))


def _pattern(query_terms: list[str]):
    if not query_terms:
        return None
    alternatives = sorted(set(query_terms), key=len, reverse=True)
    return re.compile("|".join(re.escape(t) for t in alternatives), re.I)


def _matched_terms(pattern, text: str) -> int:
    """How many different query terms occur in ``text``."""
    if pattern is None:
        return 0
    return len({match.group(0).lower() for match in pattern.finditer(text)})


def snippet_of(text: str, query_terms: list[str]) -> str:
    """A short passage of ``text`` around the first match, with the matches marked."""
    text = " ".join(text.split())
    pattern = _pattern(query_terms)
    if pattern is None:
        return escape(text[:SNIPPET_CHARS])
    match = pattern.search(text)
    start = max(0, match.start() - SNIPPET_CHARS // 3) if match else 0
    passage = text[start : start + SNIPPET_CHARS]
    marked = pattern.sub(lambda m: f"\0{m.group(0)}\1", passage)
    html = escape(marked).replace("\0", "<mark>").replace("\1", "</mark>")
    prefix = "…" if start else ""
    suffix = "…" if start + SNIPPET_CHARS < len(text) else ""
    return mark_safe(prefix + html + suffix)  # noqa: S308 - escaped above; only <mark> added
