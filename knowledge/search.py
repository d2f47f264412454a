"""Search over everything an agent reads: the one interface the search page, the JSON
endpoint and ``evaluate_search`` use.

Answer policies, articles and the vision page, live change notices still in effect, and
courses with their lessons. Query and content all go through ``searchindex.korean``
(each page type gives its text by field, ``search_text``), and what the reader may
open is a condition of the ranking itself: knowledge pages by ``knowledge.visibility``
in the database, notices and courses by their rules in ``portal.visibility``. Each hit
says its kind, and the results count their kinds (the facet) before a kind is chosen.

Ranked pages come from ``knowledge.ranking`` (BM25F over the portal's own index, the
same on every database), or from Elasticsearch when it is configured
(``knowledge.elastic``): then the ranking, the counts per kind, the facets (tags,
products, channels) and the highlighted passages are its answer, and a search it cannot
answer (down, slow, no index yet) is ranked by the portal's own index as before; after
such a failure, the next ``ELASTICSEARCH_RETRY_AFTER`` seconds of searches go straight
to the portal's own index instead of each waiting for the timeout. Its hits are checked
against the database's rule before they are shown (a tripwire: a document out of step
would show a page the reader may not open): any that fails is dropped, logged and
queued to be re-synced. This module sits above the notices and training apps: it reads
their pages, they never import it.
"""

import logging
import math
import re
from collections import Counter
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import prefetch_related_objects
from django.utils import timezone
from django.utils.html import escape, strip_tags
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from taggit.models import Tag
from wagtail.models import Page

from notices.models import ChangeNoticePage, in_effect
from portal.organisation.models import Channel
from portal.visibility import visible_page_ids
from searchindex.korean import terms
from training.models import CoursePage

from .elastic.sync import sync_after_commit
from .kinds import KIND_LABELS, KINDS, KNOWLEDGE_KINDS, SEARCHED_KINDS, SNIPPET_CHARS, kind_of
from .models import AnswerPolicyPage, KnowledgePage, Product, VisionPage
from .ranking import pages_holding, question, ranked_pages, uses_elasticsearch
from .visibility import visible_pages

logger = logging.getLogger(__name__)

PER_PAGE = 10
#: How many of the best matches can be paged through; nobody reads past a few pages
#: mid-call. Each search ranks only as deep as the page it shows (and one more, to know
#: whether there is a next page): the deeper the ranking, the lower the bar a page must
#: reach, and the more pages have to be scored.
MAX_CANDIDATES = 100
#: Kinds with few pages (whatever the size of the knowledge base), counted in full even
#: when the ranking stops before the end; answer policies and articles are counted as
#: far as it goes ("10+").
FEW_PAGES_KINDS = ("notice", "course", "vision")
#: Cache key: until when Elasticsearch is given up on after a failure.
ELASTICSEARCH_DOWN_KEY = "knowledge.search.elasticsearch_down"


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
    #: False: at least ``count`` (the ranking stopped before the end).
    complete: bool = True

    @property
    def label(self) -> str:
        return KIND_LABELS[self.kind]


@dataclass
class FacetValue:
    value: str
    label: str
    count: int


@dataclass
class FacetGroup:
    """Matches by tag, product or channel (Elasticsearch's aggregations)."""

    name: str
    label: str
    values: list[FacetValue]


FACET_LABELS = {"tags": _("Tags"), "products": _("Products"), "channels": _("Channels")}


@dataclass
class SearchResults:
    query: str
    hits: list[SearchHit] = field(default_factory=list)
    total: int = 0
    page_number: int = 1
    num_pages: int = 1
    #: Matches per kind for the query (and tag), whichever kind is chosen.
    facets: list[Facet] = field(default_factory=list)
    #: False: there are more than ``total`` matches (and pages), ranked when asked for.
    complete: bool = True
    #: Matches by tag, product and channel, when the engine counts them (Elasticsearch).
    facet_groups: list[FacetGroup] = field(default_factory=list)

    @property
    def total_all_kinds(self) -> int:
        """What "everything" holds (sections, shown only when chosen, are not in it)."""
        return sum(facet.count for facet in self.facets if facet.kind in SEARCHED_KINDS)

    @property
    def all_kinds_complete(self) -> bool:
        return all(facet.complete for facet in self.facets if facet.kind in SEARCHED_KINDS)


def search_knowledge(
    user, query: str, *, kind: str = "", tag: str = "", page: int = 1, per_page: int = PER_PAGE
) -> SearchResults:
    query = (query or "").strip()
    results = SearchResults(query=query)
    query_terms = terms(query)
    if not query_terms and not tag:
        return results
    if uses_elasticsearch() and not cache.get(ELASTICSEARCH_DOWN_KEY):
        # Here, not at the top: the client is a slow import that only this path needs.
        from elasticsearch import ApiError, TransportError

        try:
            return _search_elasticsearch(
                user, results, query_terms, kind=kind, tag=tag, page=page, per_page=per_page
            )
        except (TransportError, ApiError) as error:
            # Down, slow or without an index yet: the agent on the line still gets an
            # answer, from the portal's own index, which publishing keeps in step too;
            # and the next searches for a while do not wait for the timeout again.
            cache.set(ELASTICSEARCH_DOWN_KEY, True, settings.ELASTICSEARCH_RETRY_AFTER)
            logger.warning("Elasticsearch did not answer (%s); the portal's index ranks", error)

    kinds = SEARCHED_KINDS + (["section"] if kind == "section" else [])
    models = [KINDS[k] for k in kinds]
    complete = facets_complete = True
    if query_terms:
        # Who may open what is a condition of the ranking itself: the best pages the
        # reader may open, never the best pages then filtered.
        depth = min(max(1, page) * per_page + 1, MAX_CANDIDATES)
        readable = set() if tag else _readable_notices_and_courses(user)
        allowed = _allowed(user, models, tag, readable)
        asked = question(query)
        found = _with_kinds(ranked_pages(asked, models, depth, allowed))
        complete = facets_complete = len(found) < depth
        counts = Counter(found_kind for _pk, found_kind in found)
        if not complete:
            counts |= _few_pages_kinds(asked, allowed, readable)
        if kind in KINDS and kind != "section":
            ranked = ranked_pages(asked, [KINDS[kind]], depth, allowed)
            found = _with_kinds(ranked)
            complete = len(found) < depth
    else:
        found = _tagged(user, models, tag)
        counts = Counter(found_kind for _pk, found_kind in found)
        if kind in KINDS:
            found = [(pk, found_kind) for pk, found_kind in found if found_kind == kind]
    if kind == "section":
        found = [(pk, found_kind) for pk, found_kind in found if found_kind == kind]

    results.facets = [
        Facet(k, counts[k], facets_complete or k in FEW_PAGES_KINDS)
        for k in kinds
        # Answer policies and articles may lie beyond where the ranking stopped.
        if counts[k] or k == kind or (not facets_complete and k not in FEW_PAGES_KINDS)
    ]
    paginator = Paginator(found, per_page)
    current = paginator.get_page(page)
    results.complete = complete
    # Unless complete, the ranking holds one more page than shown: there are more.
    results.total = paginator.count if complete else current.end_index()
    results.page_number = current.number
    results.num_pages = paginator.num_pages
    results.hits = _hits([pk for pk, _kind in current], query_terms)
    return results


def _search_elasticsearch(
    user, results: SearchResults, query_terms, *, kind, tag, page, per_page
) -> SearchResults:
    """``search_knowledge`` answered by Elasticsearch: one request per search (two when
    ``page`` is past the last, which then shows the last, as the paginator does). As on
    the portal's own index, only the best ``MAX_CANDIDATES`` can be paged through."""
    from .elastic import indexes as elastic_indexes  # the client: a slow import
    from .elastic.query import answer_of, search_request

    readable = set() if tag else _readable_notices_and_courses(user)
    es, index, now = elastic_indexes.client(), elastic_indexes.alias(), timezone.now()

    def ask(page_number):
        request = search_request(
            index,
            user,
            results.query if query_terms else "",
            readable=readable,
            now=now,
            kind=kind,
            tag=tag,
            page=page_number,
            per_page=per_page,
        )
        return answer_of(es.search(index=index, body=request.to_dict()).body)

    last_page = max(1, math.ceil(MAX_CANDIDATES / per_page))
    page = min(max(1, page), last_page)
    answer = ask(page)
    num_pages = min(max(1, math.ceil(answer.total / per_page)), last_page)
    if page > num_pages:
        page = num_pages
        answer = ask(page)
    kinds = SEARCHED_KINDS + (["section"] if kind == "section" else [])
    results.facets = [
        Facet(k, answer.kinds.get(k, 0)) for k in kinds if answer.kinds.get(k) or k == kind
    ]
    results.facet_groups = _facet_groups(answer.facets)
    results.total = answer.total
    results.page_number = page
    results.num_pages = num_pages
    passages = {pk: passage for pk, _kind, passage in answer.hits}
    page_ids = _checked(user, [pk for pk, _kind, _passage in answer.hits], readable)
    results.hits = _hits(page_ids, query_terms, passages)
    return results


def _checked(user, page_ids: list[int], readable: set[int]) -> list[int]:
    """``page_ids`` that ``user`` may open by the database's rule (as ``_allowed`` has it
    for the portal's own index), in their order: two queries for a page of hits. The
    query's filter should already have kept out the rest; one that did not means a
    document out of step, which is dropped here, logged and queued to be re-synced."""
    if not page_ids:
        return []
    knowledge_models = [KINDS[k] for k in KNOWLEDGE_KINDS]
    asked = Page.objects.filter(pk__in=page_ids).type(*knowledge_models)
    allowed = set(visible_pages(user, asked).values_list("pk", flat=True))
    allowed |= readable & set(page_ids)
    refused = [pk for pk in page_ids if pk not in allowed]
    if refused:
        logger.warning(
            "Elasticsearch returned pages %s that user %s may not open: not shown; "
            "their documents are queued to be brought in step",
            refused,
            user.pk,
        )
        sync_after_commit(refused)
    return [pk for pk in page_ids if pk in allowed]


def _facet_groups(facets: dict[str, list[tuple[str, int]]]) -> list[FacetGroup]:
    """The facets with their values' names: one query per facet that has values."""
    names = {
        "tags": lambda values: dict(
            Tag.objects.filter(slug__in=values).values_list("slug", "name")
        ),
        "products": lambda values: dict(
            Product.objects.filter(code__in=values).values_list("code", "name")
        ),
        "channels": lambda values: dict(
            Channel.objects.filter(code__in=values).values_list("code", "name")
        ),
    }
    groups = []
    for name, buckets in facets.items():
        if not buckets:
            continue
        labels = names[name]([value for value, _count in buckets])
        values = [FacetValue(v, labels.get(v, v), count) for v, count in buckets]
        groups.append(FacetGroup(name, FACET_LABELS[name], values))
    return groups


def _allowed(user, models, tag: str, readable: set[int]):
    """The pages of ``models`` that ``user`` may open, as one queryset on the page table
    that the ranking tests each candidate against: knowledge pages by their rule, in the
    database; and ``readable``, the notices in effect and live courses (few, whatever the
    size of the knowledge base) they may open."""
    knowledge_models = [m for m in models if issubclass(m, KnowledgePage)]
    allowed = visible_pages(user, Page.objects.type(*knowledge_models))
    if tag:
        # Notices and courses carry no tags: a tag asks for knowledge pages only.
        return allowed.filter(knowledge_tag_items__tag__slug=tag)
    return allowed | Page.objects.filter(pk__in=sorted(readable))


def _few_pages_kinds(asked, allowed, readable: set[int]) -> Counter:
    """Matches among the notices, courses and vision pages in ``allowed``, by kind."""
    vision_type = ContentType.objects.get_for_model(VisionPage)
    vision = allowed.filter(content_type=vision_type).order_by().values_list("pk", flat=True)
    candidates = readable | set(vision)
    return Counter(_kind_of_type(type_id) for _pk, type_id in pages_holding(asked, candidates))


def _with_kinds(ranked: list[tuple[int, int]]) -> list[tuple[int, str]]:
    return [(pk, _kind_of_type(content_type_id)) for pk, content_type_id in ranked]


def _readable_notices_and_courses(user) -> set[int]:
    """Notices still in effect and live courses that ``user`` may open."""
    # Two lists, not one query with OR: that would read every page of a large site.
    # Whether a course is live, ``visible_page_ids`` checks, as for every page.
    notices_in_effect = ChangeNoticePage.objects.filter(in_effect(timezone.now()))
    candidates = [
        *notices_in_effect.order_by().values_list("pk", flat=True),
        *CoursePage.objects.order_by().values_list("pk", flat=True),
    ]
    return visible_page_ids(user, candidates)


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


def _hits(page_ids: list[int], query_terms: list[str], passages=None) -> list[SearchHit]:
    """The hits of ``page_ids``, in their order. ``passages``: per page, the passage the
    engine highlighted (HTML it escaped, with ``<mark>``), used instead of our own."""
    pages = {p.pk: p for p in Page.objects.filter(pk__in=page_ids).specific()}
    # A policy's text includes its scripts: one query for the page, not one per policy.
    policies = [p for p in pages.values() if isinstance(p, AnswerPolicyPage)]
    prefetch_related_objects(policies, "scripts")
    passages = passages or {}
    return [_hit(pages[pk], query_terms, passages.get(pk)) for pk in page_ids if pk in pages]


def _hit(page, query_terms: list[str], passage: str | None = None) -> SearchHit:
    if isinstance(page, CoursePage):
        # Which lesson opens is decided here, whoever ranked: the engine's passage could
        # come from any lesson.
        return _course_hit(page, query_terms)
    snippet = (
        # Elasticsearch escaped the text (highlight ``encoder: html``) and added only <mark>.
        mark_safe(passage)  # noqa: S308
        if passage
        else snippet_of(reading_text(page), query_terms)
    )
    return SearchHit(page=page, kind=kind_of(page), snippet=snippet, url=page.url)


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
