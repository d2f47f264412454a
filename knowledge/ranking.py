"""Ranked candidates for a search: the backend-specific part of ``search_knowledge``.

On PostgreSQL, Wagtail's database backend matches ``title || body`` (a concatenated
tsvector no index can serve) and ranks every match; at 100,000 pages that is a full
scan. Here the title and body GIN indexes answer the match, and only matching rows are
ranked, and no more than ``MAX_RANKED`` of them per field: a word found in tens of
thousands of pages would otherwise cost a rank computation for each (pages whose
title matches are always among those ranked). Other databases use the configured
Wagtail backend unchanged.
"""

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from wagtail.models import Page

TITLE_WEIGHT = 2.0
#: Matches ranked per field (title, body); beyond this a common word adds no precision.
MAX_RANKED = 4000


def ranked_page_ids(query_terms: list[str], models, limit: int) -> list[int]:
    if connection.vendor != "postgresql" or not _uses_database_backend():
        ranked = Page.objects.type(*models).live().search(" ".join(query_terms), operator="or")
        return [page.pk for page in ranked[:limit]]
    content_types = [ct.pk for ct in ContentType.objects.get_for_models(*models).values()]
    tsquery = " | ".join("'" + term.replace("'", "''") + "'" for term in dict.fromkeys(query_terms))
    with connection.cursor() as cursor:
        cursor.execute(
            """
            WITH query AS (SELECT to_tsquery('simple', %(q)s) AS q),
            candidates AS (
                (SELECT e.id FROM wagtailsearch_indexentry e, query
                 WHERE e.content_type_id = ANY(%(types)s) AND e.title @@ query.q
                 LIMIT %(cap)s)
                UNION
                (SELECT e.id FROM wagtailsearch_indexentry e, query
                 WHERE e.content_type_id = ANY(%(types)s) AND e.body @@ query.q
                 LIMIT %(cap)s)
            )
            SELECT e.object_id
            FROM wagtailsearch_indexentry e JOIN candidates c ON c.id = e.id, query
            ORDER BY %(weight)s * ts_rank(e.title, query.q) + ts_rank(e.body, query.q) DESC,
                     e.id DESC
            LIMIT %(limit)s
            """,
            {
                "q": tsquery,
                "types": content_types,
                "cap": MAX_RANKED,
                "weight": TITLE_WEIGHT,
                "limit": limit,
            },
        )
        return [int(object_id) for (object_id,) in cursor.fetchall()]


def _uses_database_backend() -> bool:
    from django.conf import settings

    backend = settings.WAGTAILSEARCH_BACKENDS["default"]["BACKEND"]
    return backend.endswith(".database")
