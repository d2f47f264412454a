"""Knowledge search: the one interface the search page, the JSON endpoint and
``evaluate_search`` use. Query and content both go through ``knowledge.korean``, and
results are narrowed by ``knowledge.visibility`` before anything is counted or shown.

Ranked candidates come from ``knowledge.ranking`` (Wagtail's configured backend, with a
faster index-backed query on PostgreSQL); an Elasticsearch backend can take its place
there without callers noticing.
"""

import re
from dataclasses import dataclass, field

from django.core.paginator import Paginator
from django.utils.html import escape
from django.utils.safestring import mark_safe
from wagtail.models import Page

from .korean import terms
from .models import AnswerPolicyPage, ArticlePage, KnowledgeIndexPage, VisionPage
from .ranking import ranked_page_ids
from .visibility import visible_pages

KINDS = {
    "article": ArticlePage,
    "policy": AnswerPolicyPage,
    "vision": VisionPage,
    "section": KnowledgeIndexPage,
}
PER_PAGE = 10
#: How many ranked matches are considered; nobody reads past a few pages mid-call.
MAX_CANDIDATES = 300
SNIPPET_CHARS = 160


@dataclass
class SearchHit:
    page: Page
    kind: str
    snippet: str


@dataclass
class SearchResults:
    query: str
    hits: list[SearchHit] = field(default_factory=list)
    total: int = 0
    page_number: int = 1
    num_pages: int = 1


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

    # Sections only when asked for: their short titles would outrank the content itself.
    models = [KINDS[kind]] if kind in KINDS else [ArticlePage, AnswerPolicyPage, VisionPage]
    pages = Page.objects.type(*models)
    if query_terms:
        # The backend ranks but may filter only on indexed fields: take the best
        # candidates from it, then let visibility and the tag narrow them in the database.
        ranked_ids = ranked_page_ids(query_terms, models, MAX_CANDIDATES)
        allowed = _narrow(user, Page.objects.filter(pk__in=ranked_ids), tag)
        allowed_ids = set(allowed.values_list("pk", flat=True))
        found = [pk for pk in ranked_ids if pk in allowed_ids]
    else:
        found = list(
            _narrow(user, pages, tag).order_by("-last_published_at").values_list("pk", flat=True)
        )

    paginator = Paginator(found, per_page)
    current = paginator.get_page(page)
    specific = {p.pk: p for p in Page.objects.filter(pk__in=list(current)).specific()}
    results.total = paginator.count
    results.page_number = current.number
    results.num_pages = paginator.num_pages
    results.hits = [
        SearchHit(page=hit, kind=kind_of(hit), snippet=snippet(hit, query_terms))
        for hit in (specific.get(pk) for pk in current)
        if hit is not None
    ]
    return results


def _narrow(user, pages, tag):
    pages = visible_pages(user, pages)
    if tag:
        pages = pages.filter(knowledge_tag_items__tag__slug=tag).distinct()
    return pages


def snippet(page, query_terms: list[str]) -> str:
    """A short passage of the page around the first match, with the matches marked."""
    text = " ".join(page.body_text().split())
    if not query_terms:
        return escape(text[:SNIPPET_CHARS])
    pattern = re.compile(
        "|".join(re.escape(t) for t in sorted(set(query_terms), key=len, reverse=True)), re.I
    )
    match = pattern.search(text)
    start = max(0, match.start() - SNIPPET_CHARS // 3) if match else 0
    passage = text[start : start + SNIPPET_CHARS]
    marked = pattern.sub(lambda m: f"\0{m.group(0)}\1", passage)
    html = escape(marked).replace("\0", "<mark>").replace("\1", "</mark>")
    prefix = "…" if start else ""
    suffix = "…" if start + SNIPPET_CHARS < len(text) else ""
    return mark_safe(prefix + html + suffix)  # noqa: S308 - escaped above; only <mark> added
