"""Ranked pages for a search: the one place that says which engine ranks.

The portal's own BM25F index (``searchindex``), the same on SQLite and PostgreSQL; or,
when ``ELASTICSEARCH_URL`` is set, Elasticsearch with nori (``knowledge.elastic``), which
then answers the whole search (ranking, counts, facets and passages) and the portal's
own index stands in whenever it cannot answer.
"""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType

from searchindex.indexing import index_terms
from searchindex.ranking import Question, holding, rank


def uses_elasticsearch() -> bool:
    return bool(settings.ELASTICSEARCH_URL)


def question(query: str) -> Question:
    """The query as the ranking asks for it: analysed, and its terms looked up, once
    per search however often it is ranked."""
    return Question(index_terms(query))


def ranked_pages(asked: Question, models, limit: int, allowed) -> list[tuple[int, int]]:
    """(page id, content type id) of the ``limit`` best pages of ``models`` among
    ``allowed`` (a page queryset), best first."""
    content_types = [ct.pk for ct in ContentType.objects.get_for_models(*models).values()]
    ranked = rank(asked, allowed=allowed, content_type_ids=content_types, limit=limit)
    return [(hit.page_id, hit.content_type_id) for hit in ranked]


def pages_holding(asked: Question, page_ids) -> list[tuple[int, int]]:
    """(page id, content type id) of the pages among ``page_ids`` that match the query."""
    return holding(asked, page_ids)
