"""Ranked pages for a search: the one place that says which engine ranks.

Today that is the portal's own BM25F index (``searchindex``), the same on SQLite and
PostgreSQL; an Elasticsearch backend can take its place here without callers noticing.
"""

from django.contrib.contenttypes.models import ContentType

from searchindex.ranking import holding, rank


def ranked_pages(query_terms: list[str], models, limit: int, allowed) -> list[tuple[int, int]]:
    """(page id, content type id) of the ``limit`` best pages of ``models`` among
    ``allowed`` (a page queryset), best first."""
    content_types = [ct.pk for ct in ContentType.objects.get_for_models(*models).values()]
    ranked = rank(query_terms, allowed=allowed, content_type_ids=content_types, limit=limit)
    return [(hit.page_id, hit.content_type_id) for hit in ranked]


def pages_holding(query_terms: list[str], page_ids) -> list[tuple[int, int]]:
    """(page id, content type id) of the pages among ``page_ids`` that match the query."""
    return holding(query_terms, page_ids)
