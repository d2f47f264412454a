"""Ranked candidates for a search: the backend-specific part of ``search_knowledge``.

On PostgreSQL, Wagtail's database backend matches ``title || body`` (a concatenated
tsvector no index can serve) and ranks every match; at 100,000 pages that is a full
scan. Here the title and body GIN indexes answer the match, pages holding every query term
are preferred (pages holding any of them are added when those are few), and no more
than ``MAX_RANKED`` matches per field are ranked: a word found in tens of thousands of
pages would otherwise cost a heap fetch and a rank computation for each. A body's rank
is divided by its length: a course holds every lesson and would otherwise outrank the
short policy or notice that answers the question on word counts alone (SQLite's BM25
normalises length too). Other databases use the configured Wagtail backend unchanged.
"""

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from wagtail.models import Page

TITLE_WEIGHT = 2.0
#: ts_rank's normalisation of the body: 2 divides the rank by the document's length.
BODY_NORMALISATION = 2
#: Matches ranked per field (title, body) and per kind of match (all terms, any term).
#: Each costs a heap fetch and a rank computation; a word found in thousands of pages
#: adds cost, not precision, beyond this.
MAX_RANKED = 300


#: With fewer pages than this (a page of results) holding every term, pages with any of
#: them are added, from a smaller candidate set: they only fill the list.
ENOUGH_WITH_ALL_TERMS = 10
MAX_RANKED_TO_FILL = 100

_RANKED_SQL = """
    WITH query AS (
        SELECT to_tsquery('simple', %(match)s) AS m, to_tsquery('simple', %(rank)s) AS r
    ),
    candidates AS (
        (SELECT e.id FROM wagtailsearch_indexentry e, query
         WHERE e.content_type_id = ANY(%(types)s) AND e.title @@ query.m LIMIT %(cap)s)
        UNION
        (SELECT e.id FROM wagtailsearch_indexentry e, query
         WHERE e.content_type_id = ANY(%(types)s) AND e.body @@ query.m LIMIT %(cap)s)
    )
    SELECT e.object_id
    FROM wagtailsearch_indexentry e JOIN candidates c ON c.id = e.id, query
    ORDER BY %(weight)s * ts_rank(e.title, query.r)
             + ts_rank(e.body, query.r, %(body_normalisation)s) DESC,
             e.id DESC
    LIMIT %(limit)s
"""


def ranked_page_ids(query_terms: list[str], models, limit: int) -> list[int]:
    if connection.vendor != "postgresql" or not _uses_database_backend():
        ranked = Page.objects.type(*models).live().search(" ".join(query_terms), operator="or")
        return [page.pk for page in ranked[:limit]]
    content_types = [ct.pk for ct in ContentType.objects.get_for_models(*models).values()]
    quoted = ["'" + term.replace("'", "''") + "'" for term in dict.fromkeys(query_terms)]
    any_term = " | ".join(quoted)
    # Pages holding every term first: that is what a question of several words means,
    # and far fewer pages hold them all than any one of them.
    found = _ranked(" & ".join(quoted), any_term, content_types, limit)
    if len(quoted) > 1 and len(found) < ENOUGH_WITH_ALL_TERMS:
        seen = set(found)
        more = _ranked(any_term, any_term, content_types, limit, cap=MAX_RANKED_TO_FILL)
        found += [pk for pk in more if pk not in seen]
    return found[:limit]


def _ranked(match: str, rank: str, content_types, limit: int, cap=MAX_RANKED) -> list[int]:
    params = {
        "match": match,
        "rank": rank,
        "types": content_types,
        "cap": cap,
        "weight": TITLE_WEIGHT,
        "body_normalisation": BODY_NORMALISATION,
        "limit": limit,
    }
    with connection.cursor() as cursor:
        cursor.execute(_RANKED_SQL, params)
        return [int(object_id) for (object_id,) in cursor.fetchall()]


def _uses_database_backend() -> bool:
    from django.conf import settings

    backend = settings.WAGTAILSEARCH_BACKENDS["default"]["BACKEND"]
    return backend.endswith(".database")
