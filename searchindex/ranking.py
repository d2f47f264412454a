"""BM25F ranking over the portal's own index: the same SQL, and the same integer sums, on
SQLite and PostgreSQL.

A page's score is the sum, over the query's terms it holds, of the term's idf times
its impact in the page (``indexing.impact``). The exact top ``limit`` is found without
scoring every page that holds a common word (max-score pruning):

1. Terms are taken rarest first. Every page holding one of the *rare* terms (together
   holding at most ``RARE_POSTINGS`` postings) is a candidate, and so are the pages
   where each *common* term weighs most (the head of its impact-ordered list).
   Candidates are scored on every query term, and the ``limit``-th score is the bar.
2. A page holding none of the rare terms can only reach the bar on common terms; if it
   does, it must hold at least one of them with an impact above that term's share of
   the bar. Those heads of the lists are read and scored too, and the two rankings
   merged. Nothing that could enter the top is left out, and nothing is cut before it
   is scored: the limit applies to scored pages only.

Which pages the reader may open (``allowed``, a queryset of pages) and which types are
asked for are conditions of the scoring query itself, never applied afterwards.
"""

import math
from collections import Counter
from dataclasses import dataclass, field
from typing import NamedTuple

from django.db import connection
from django.db.models.expressions import RawSQL

from .indexing import FIELDS, IMPACT_SCALE, Parameters, idf, is_phrase, with_phrases
from .models import Corpus, Posting

#: Postings read in full for the rare terms (a term holding more is *common*): reading a
#: posting costs less than looking one up, so this is larger than the pages scored.
RARE_POSTINGS = 20000
#: Pages taken (times the limit), best on the rare terms first, before checking whether
#: more could matter.
PARTIAL_READ = 2
#: Entries read from the head of each common term's list to set the bar.
HEAD = 100
#: Page ids per statement.
CHUNK = 500


class Ranked(NamedTuple):
    page_id: int
    score: int
    content_type_id: int


@dataclass
class QueryTerm:
    text: str
    term_id: int
    pages: int
    #: idf * IMPACT_SCALE * occurrences in the query, as an integer.
    weight: int
    max_impact: int

    @property
    def upper_bound(self) -> int:
        return self.weight * self.max_impact


@dataclass
class TermPart:
    """One term's part in a page's score (``explain``)."""

    text: str
    pages: int
    #: idf, times the phrase weight for a phrase.
    idf: float
    counts: dict[str, int] = field(default_factory=dict)
    impact: int = 0
    score: int = 0


def query_terms(analysed: list[str]) -> list[QueryTerm]:
    """The query's terms that the index holds, with their weights, rarest first."""
    occurrences = Counter(with_phrases(analysed))
    if not occurrences:
        return []
    phrase_weight = Parameters.from_settings().phrase_weight
    corpus = Corpus.objects.filter(pk=1).first()
    total = corpus.pages if corpus else 0
    placeholders = ", ".join(["%s"] * len(occurrences))
    sql = f"""
        SELECT t.id, t.text, t.pages,
               (SELECT p.impact FROM searchindex_posting p WHERE p.term_id = t.id
                ORDER BY p.impact DESC LIMIT 1)
        FROM searchindex_term t
        WHERE t.text IN ({placeholders}) AND t.pages > 0
    """  # noqa: S608 - placeholders only
    with connection.cursor() as cursor:
        cursor.execute(sql, list(occurrences))
        rows = cursor.fetchall()
    found = [
        QueryTerm(
            text=text,
            term_id=term_id,
            pages=pages,
            weight=round(
                idf(pages, total) * IMPACT_SCALE * (phrase_weight if is_phrase(text) else 1.0)
            )
            * occurrences[text],
            max_impact=max_impact or 0,
        )
        for term_id, text, pages, max_impact in rows
    ]
    return sorted(found, key=lambda t: (t.pages, t.text))


def rank(analysed: list[str], *, allowed=None, content_type_ids=None, limit: int = 100):
    """The ``limit`` best pages for the analysed query (``Ranked``), best first; ties go
    to the older page. ``allowed``: a queryset of the pages that may appear."""
    terms = query_terms(analysed)
    if not terms or limit <= 0:
        return []
    conditions = _Conditions(allowed, content_type_ids)
    rare, common = [], []
    budget = RARE_POSTINGS
    for term in terms:
        if not common and term.pages <= budget:
            rare.append(term)
            budget -= term.pages
        else:
            common.append(term)
    common_bound = sum(t.upper_bound for t in common)
    scored: dict[int, Ranked] = {}

    if rare:
        # Pages holding a rare term, best on the rare terms first. A page's full score is
        # at most its rare-term score plus every common term's best: pages below the bar
        # by that much are never fully scored, nor read.
        read = PARTIAL_READ * limit
        while True:
            partial, complete = _partial_scores(rare, read)
            scored |= _full_scores(terms, [pk for pk, _s in partial[:limit]], conditions)
            bar = _bar(scored, limit)
            rest = [pk for pk, score in partial[limit:] if score + common_bound >= bar]
            scored |= _full_scores(terms, rest, conditions)
            bar = _bar(scored, limit)
            if complete or (partial and partial[-1][1] + common_bound < bar):
                break
            read *= 4

    if common:
        bar = _bar(scored, limit)
        if bar == 0:
            # Too few pages so far to set a bar: the heads of the common terms' lists.
            heads = " UNION ".join(
                "SELECT page_id FROM (SELECT page_id FROM searchindex_posting WHERE term_id = %s"
                " ORDER BY impact DESC, page_id LIMIT %s) AS head"
                for _t in common
            )
            params = [value for t in common for value in (t.term_id, max(HEAD, limit))]
            scored |= _scored(terms, heads, params, conditions)
            bar = _bar(scored, limit)
        if common_bound >= bar:
            # A page reaching the bar on common terms alone holds one of them with at
            # least its share of the bar (in proportion to the term's upper bound).
            parts, params = [], []
            for term in common:
                least = math.floor(bar * term.max_impact / common_bound) if bar else 0
                parts.append(
                    "SELECT page_id FROM searchindex_posting WHERE term_id = %s AND impact >= %s"
                )
                params += [term.term_id, least]
            scored |= _scored(terms, " UNION ".join(parts), params, conditions)
    return sorted(scored.values(), key=lambda hit: (-hit.score, hit.page_id))[:limit]


def _bar(scored: dict, limit: int) -> int:
    """The score a page must reach to be among the best ``limit`` (0 until there are
    that many)."""
    if len(scored) < limit:
        return 0
    return sorted((hit.score for hit in scored.values()), reverse=True)[limit - 1]


def _partial_scores(rare, read: int) -> tuple[list[tuple[int, int]], bool]:
    """(page id, score on the rare terms) of the best ``read`` pages holding one, best
    first; and whether that is every such page. Who may open them is checked when
    they are fully scored."""
    weights = " ".join("WHEN %s THEN %s" for _ in rare)
    placeholders = ", ".join(["%s"] * len(rare))
    sql = f"""
        SELECT page_id, SUM(CASE term_id {weights} ELSE 0 END * impact) AS score
        FROM searchindex_posting WHERE term_id IN ({placeholders})
        GROUP BY page_id ORDER BY score DESC, page_id LIMIT %s
    """  # noqa: S608 - placeholders only
    params = [value for t in rare for value in (t.term_id, t.weight)]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *(t.term_id for t in rare), read])
        rows = cursor.fetchall()
    return rows, len(rows) < read


def _full_scores(terms, page_ids: list[int], conditions) -> dict[int, "Ranked"]:
    scored = {}
    for start in range(0, len(page_ids), CHUNK):
        chunk = page_ids[start : start + CHUNK]
        placeholders = ", ".join(["%s"] * len(chunk))
        candidates = (
            f"SELECT page_id FROM searchindex_indexedpage WHERE page_id IN ({placeholders})"  # noqa: S608
        )
        scored |= _scored(terms, candidates, chunk, conditions)
    return scored


class _Conditions:
    """What a candidate must satisfy, tested once per candidate page (not per posting):
    its type, and that ``allowed`` holds it (a correlated EXISTS, so that the database
    probes the candidates rather than listing every page the reader may open)."""

    def __init__(self, allowed, content_type_ids):
        self.sql, self.params = "", []
        if content_type_ids is not None:
            ids = list(content_type_ids) or [0]
            self.sql += f" AND d.content_type_id IN ({', '.join(['%s'] * len(ids))})"
            self.params += ids
        if allowed is not None:
            probe = allowed.order_by().filter(pk=RawSQL("c.page_id", [])).values("pk")
            subquery, subparams = probe.query.sql_with_params()
            self.sql += f" AND EXISTS ({subquery})"
            self.params += list(subparams)


def _scored(terms, candidates_sql, candidate_params, conditions) -> dict[int, "Ranked"]:
    """Full scores of the candidate pages the conditions admit."""
    weights = " ".join("WHEN %s THEN %s" for _ in terms)
    weight_params = [value for t in terms for value in (t.term_id, t.weight)]
    term_list = ", ".join(["%s"] * len(terms))
    sql = f"""
        WITH candidate AS (
            SELECT c.page_id, d.content_type_id FROM ({candidates_sql}) AS c
            JOIN searchindex_indexedpage d ON d.page_id = c.page_id
            WHERE 1 = 1 {conditions.sql}
        )
        SELECT p.page_id, SUM(CASE p.term_id {weights} ELSE 0 END * p.impact) AS score,
               c.content_type_id
        FROM candidate c
        JOIN searchindex_posting p ON p.page_id = c.page_id
        WHERE p.term_id IN ({term_list})
        GROUP BY p.page_id, c.content_type_id
    """  # noqa: S608 - placeholders only
    params = [*candidate_params, *conditions.params, *weight_params, *[t.term_id for t in terms]]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {
            int(pk): Ranked(int(pk), int(score), type_id)
            for pk, score, type_id in cursor.fetchall()
        }


def explain(analysed: list[str], page_id: int) -> list[TermPart]:
    """Each query term's part in ``page_id``'s score, rarest term first."""
    terms = query_terms(analysed)
    rows = Posting.objects.filter(page_id=page_id, term_id__in=[t.term_id for t in terms])
    postings = {posting.term_id: posting for posting in rows}
    parts = []
    for term in terms:
        posting = postings.get(term.term_id)
        part = TermPart(text=term.text, pages=term.pages, idf=term.weight / IMPACT_SCALE)
        if posting is not None:
            part.counts = {f: getattr(posting, f"{f}_count") for f in FIELDS}
            part.impact = posting.impact
            part.score = term.weight * posting.impact
        parts.append(part)
    return parts
