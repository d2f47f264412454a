"""BM25F ranking over the portal's own index: the same SQL, and the same integer sums, on
SQLite and PostgreSQL.

A page's score is the sum, over the query's terms it holds, of the term's idf times
its impact in the page (``indexing.impact``). The exact top ``limit`` is found without
scoring every page that holds a common word (max-score pruning):

1. Words (and phrases) are taken rarest first; the *rare* ones (together holding at
   most ``RARE_POSTINGS`` postings) find the candidates, the *common* ones only add to
   them.
2. The pages where the rarest terms weigh most (the heads of their impact-ordered
   lists) are fully scored: the ``limit``-th score among those the reader may open is
   the first bar.
3. Every page holding a rare term whose score on the rare terms, plus the most every
   common term could add, reaches the bar is read, best first, and completed in
   growing slices (its common terms' part added), so the bar rises before the tail.
4. A page holding none of the rare terms can only reach the bar on common terms; if
   they could lift it that far, it holds one of them with an impact above that term's
   share of the bar, and those heads of the lists are scored too.
5. Grams (``korean.grams``) then re-rank the best ``RESCORE_WINDOW`` pages: a page is
   found on words, never on two syllables alone, and syllable pairs that half the site
   holds cost nothing on the pages that cannot reach the top.

Nothing that could enter the top on words is left out, and nothing is cut before it is
scored: the limit applies to scored pages the reader may open.

Which pages the reader may open (``allowed``, a queryset of pages) and which types are
asked for are checked in the database for each candidate before it counts towards the
bar, never applied to a ranked list afterwards.
"""

import math
from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property
from typing import NamedTuple

from django.db import connection
from django.db.models.expressions import RawSQL

from .indexing import FIELDS, IMPACT_SCALE, Parameters, idf
from .korean import GRAM_MARK, is_gram
from .models import Corpus, Posting

#: Postings read in full for the rare terms (a term holding more is *common*): reading a
#: posting costs less than looking one up, so this is larger than the pages scored.
#: Measured on 100,000 pages (benchmarks/search.py --questions long): 20,000 left the
#: common words' upper bound so high that thousands of pages had to be completed.
RARE_POSTINGS = 50000
#: Pages taken (times the limit, and at least ``FIRST_READ``), best on the rare terms
#: first, to set the bar before reading on.
PARTIAL_READ = 2
FIRST_READ = 50
#: The rarest terms whose heads set the first bar.
SEED_TERMS = 3
#: Entries read from the head of each common term's list to set the bar.
HEAD = 100
#: How many of the best pages on words the grams re-rank. On KorQuAD
#: (benchmarks/search_quality.py): 10, recall@5 0.989; 20, 0.991; 50 as good as
#: re-ranking every page (0.993). Each page deeper lowers the bar every search must find.
RESCORE_WINDOW = 20
#: Page ids per statement (SQLite; PostgreSQL takes them as one array).
CHUNK = 5000


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

    @property
    def is_gram(self) -> bool:
        return is_gram(self.text)


@dataclass
class TermPart:
    """One term's part in a page's score (``explain``)."""

    text: str
    pages: int
    #: idf, times the phrase or gram weight for a phrase or a gram.
    idf: float
    counts: dict[str, int] = field(default_factory=dict)
    impact: int = 0
    score: int = 0


def query_terms(searched: list[str]) -> list[QueryTerm]:
    """The query's terms (``indexing.index_terms``) that the index holds, with their
    weights, rarest first."""
    occurrences = Counter(searched)
    if not occurrences:
        return []
    parameters = Parameters.from_settings()
    corpus = Corpus.objects.filter(pk=1).first()
    total = corpus.pages if corpus else 0
    placeholders = ", ".join(["%s"] * len(occurrences))
    # Grams are never pruned on: their best impact is not looked up.
    sql = f"""
        SELECT t.id, t.text, t.pages,
               CASE WHEN t.text LIKE %s THEN 0 ELSE
               (SELECT p.impact FROM searchindex_posting p WHERE p.term_id = t.id
                ORDER BY p.impact DESC LIMIT 1) END
        FROM searchindex_term t
        WHERE t.text IN ({placeholders}) AND t.pages > 0
    """  # noqa: S608 - placeholders only
    with connection.cursor() as cursor:
        cursor.execute(sql, [f"{GRAM_MARK}%", *occurrences])
        rows = cursor.fetchall()
    found = [
        QueryTerm(
            text=text,
            term_id=term_id,
            pages=pages,
            weight=round(idf(pages, total) * IMPACT_SCALE * parameters.term_weight(text))
            * occurrences[text],
            max_impact=max_impact or 0,
        )
        for term_id, text, pages, max_impact in rows
    ]
    return sorted(found, key=lambda t: (t.pages, t.text))


class Question:
    """A query's terms (``indexing.index_terms``) with their weights, looked up in the
    index once however often the query is ranked or counted."""

    def __init__(self, searched: list[str]):
        self.searched = searched

    @cached_property
    def terms(self) -> list[QueryTerm]:
        return query_terms(self.searched)


def _question(question) -> Question:
    return question if isinstance(question, Question) else Question(question)


def rank(question, *, allowed=None, content_type_ids=None, limit: int = 100):
    """The ``limit`` best pages for ``question`` (a ``Question``, or the query's terms
    from ``indexing.index_terms``), best first (``Ranked``); ties go to the older page.
    ``allowed``: a queryset of the pages that may appear."""
    terms = _question(question).terms
    words = [t for t in terms if not t.is_gram]
    grams = [t for t in terms if t.is_gram]
    if not words or limit <= 0:
        return []
    admission = _Admission(allowed, content_type_ids)
    ranked = _best_on(words, admission, max(limit, RESCORE_WINDOW if grams else 0)).ranked()
    if not grams:
        return ranked
    # Grams re-rank the best pages on words, as Elasticsearch's rescore does: the window
    # is the same however deep a search ranks, so every page of a result list comes
    # from the same order; below it, pages keep their order on words.
    window, rest = ranked[:RESCORE_WINDOW], ranked[RESCORE_WINDOW:]
    added = dict(_scores(grams, [hit.page_id for hit in window]))
    rescored = [hit._replace(score=hit.score + added.get(hit.page_id, 0)) for hit in window]
    rescored.sort(key=_best_first)
    return [*rescored, *rest][:limit]


def _best_on(terms, admission, limit: int) -> "_Best":
    """The exact ``limit`` best pages on ``terms`` that ``admission`` lets in."""
    rare, common = [], []
    budget = RARE_POSTINGS
    for term in terms:
        if not common and term.pages <= budget:
            rare.append(term)
            budget -= term.pages
        else:
            common.append(term)
    common_bound = sum(t.upper_bound for t in common)
    best = _Best(limit)

    if rare:
        # A bar from the pages where the rarest terms weigh most, fully scored; then every
        # page holding a rare term whose score on them, plus every common term's best,
        # reaches it, completed best first. Without a bar (too few of those pages may
        # appear), pages are read best on the rare terms first until there is one.
        read = max(PARTIAL_READ * limit, FIRST_READ)
        seeds = [(pk, 0) for pk in _heads(rare[:SEED_TERMS], read)]
        _complete(seeds, terms, best, admission)
        seen = {pk for pk, _score in seeds}
        while True:
            if best.bar:
                partial, complete = _partial_scores(rare, None, least=best.bar - common_bound)
            else:
                partial, complete = _partial_scores(rare, read)
                read *= 8
            batch = [(pk, score) for pk, score in partial if pk not in seen]
            seen.update(pk for pk, _score in batch)
            _complete(batch, common, best, admission)
            if complete or not partial or partial[-1][1] + common_bound < best.bar:
                break

    if common and common_bound >= best.bar:
        # A page holding no rare term reaches the bar on common terms alone only if it
        # holds one of them with at least its share of the bar (in proportion to the
        # term's upper bound). Without a bar yet, the heads of the lists set one first.
        if not best.bar:
            heads = [(pk, 0) for pk in _heads(common, max(HEAD, limit))]
            _complete(heads, terms, best, admission)
        if common_bound >= best.bar:
            bar = best.bar
            parts, params = [], []
            for term in common:
                least = math.floor(bar * term.max_impact / common_bound) if bar else 0
                parts.append(
                    "SELECT page_id FROM searchindex_posting WHERE term_id = %s AND impact >= %s"
                )
                params += [term.term_id, least]
            best.add(_scored(terms, " UNION ".join(parts), params, admission))
    return best


def _best_first(hit: Ranked):
    """The ranking's order: higher score first; of equal scores, the older page."""
    return (-hit.score, hit.page_id)


class _Best:
    """The best pages scored so far, and the bar a page must reach to join them."""

    def __init__(self, limit: int):
        self.limit = limit
        self.pages: dict[int, Ranked] = {}
        self.bar = 0

    def add(self, scored: dict[int, Ranked]):
        self.pages |= scored
        if len(self.pages) >= self.limit:
            self.pages = dict(
                sorted(self.pages.items(), key=lambda item: _best_first(item[1]))[: self.limit]
            )
            self.bar = min(hit.score for hit in self.pages.values())

    def ranked(self) -> list[Ranked]:
        return sorted(self.pages.values(), key=_best_first)


def _score_sql(terms, alias: str = "") -> tuple[str, list]:
    """The SQL of a posting's part in the score on ``terms`` (its term's weight times its
    impact; ``alias``: the postings table's, with its dot), and its parameters."""
    weights = " ".join("WHEN %s THEN %s" for _ in terms)
    sql = f"CASE {alias}term_id {weights} ELSE 0 END * {alias}impact"
    return sql, [value for t in terms for value in (t.term_id, t.weight)]


def _in_terms(terms) -> tuple[str, list]:
    """``IN (...)`` of the terms' ids, and its parameters."""
    return f"IN ({', '.join(['%s'] * len(terms))})", [t.term_id for t in terms]


def _heads(terms, size: int) -> list[int]:
    """The pages where each of ``terms`` weighs most (``size`` of each), in no order."""
    heads = " UNION ".join(
        "SELECT page_id FROM (SELECT page_id FROM searchindex_posting WHERE term_id = %s"
        " ORDER BY impact DESC, page_id LIMIT %s) AS head"
        for _t in terms
    )
    with connection.cursor() as cursor:
        cursor.execute(heads, [value for t in terms for value in (t.term_id, size)])
        return sorted(pk for (pk,) in cursor.fetchall())


def _partial_scores(rare, read: int | None, least: int = 0):
    """(page id, score on the rare terms) of the best ``read`` pages holding one (of
    every page scoring at least ``least`` if ``read`` is None), best first; and whether
    that is all of them. Who may open them is asked when they are completed."""
    score, score_params = _score_sql(rare)
    in_terms, term_params = _in_terms(rare)
    sql = f"""
        SELECT page_id, score FROM (
            SELECT page_id, SUM({score}) AS score
            FROM searchindex_posting WHERE term_id {in_terms} GROUP BY page_id
        ) AS partial WHERE score >= %s
        ORDER BY score DESC, page_id {"LIMIT %s" if read is not None else ""}
    """  # noqa: S608 - placeholders only
    params = [*score_params, *term_params, least]
    if read is not None:
        params.append(read)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return rows, read is None or len(rows) < read


def _complete(batch, missing, best: "_Best", admission):
    """Adds to ``best`` the pages of ``batch`` ((page id, score so far), best first)
    that may appear and reach its bar, once the ``missing`` terms' parts are added.
    Taken in growing slices, so that the bar rises before the tail is reached: each
    slice's missing parts in one statement, then who may open its pages, asked in
    score order until the rest fall below the bar."""
    bound = sum(t.upper_bound for t in missing)
    asking = max(best.limit, FIRST_READ)
    size, start = asking, 0
    while start < len(batch):
        scores = {
            pk: score for pk, score in batch[start : start + size] if score + bound >= best.bar
        }
        if not scores:
            return
        if missing:
            for pk, value in _scores(missing, list(scores)):
                scores[pk] += value
        ordered = sorted(scores.items(), key=lambda item: (-item[1], item[0]))
        for first in range(0, len(ordered), asking):
            asked = [(pk, s) for pk, s in ordered[first : first + asking] if s >= best.bar]
            if not asked:
                break
            admitted = admission.of([pk for pk, _s in asked])
            best.add({pk: Ranked(pk, s, admitted[pk]) for pk, s in asked if pk in admitted})
        start += size
        size *= 4


def _scores(terms, page_ids: list[int]):
    """(page id, score on ``terms``) of those of ``page_ids`` holding one of them."""
    score, score_params = _score_sql(terms)
    in_terms, term_params = _in_terms(terms)
    rows = []
    with connection.cursor() as cursor:
        for ids_sql, ids_params in _id_lists("page_id", page_ids):
            cursor.execute(
                f"SELECT page_id, SUM({score}) FROM searchindex_posting"  # noqa: S608
                f" WHERE term_id {in_terms} AND {ids_sql} GROUP BY page_id",
                [*score_params, *term_params, *ids_params],
            )
            rows += cursor.fetchall()
    return rows


def _id_lists(column: str, ids: list[int]):
    """``column`` among ``ids`` as SQL and its parameters, in statements of a size every
    database takes (PostgreSQL takes one array)."""
    if connection.vendor == "postgresql":
        yield f"{column} = ANY(%s)", [list(ids)]
        return
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        yield f"{column} IN ({', '.join(['%s'] * len(chunk))})", chunk


class _Admission:
    """What a page must satisfy to be ranked: its type, and that ``allowed`` holds it.
    Tested once per candidate page, never per posting, in the database (a correlated
    EXISTS, so that the database probes the candidates rather than listing every page
    the reader may open)."""

    def __init__(self, allowed, content_type_ids):
        self.sql, self.params = "", []
        if content_type_ids is not None:
            ids = list(content_type_ids) or [0]
            self.sql += f" AND d.content_type_id IN ({', '.join(['%s'] * len(ids))})"
            self.params += ids
        if allowed is not None:
            probe = allowed.order_by().filter(pk=RawSQL("d.page_id", [])).values("pk")
            subquery, subparams = probe.query.sql_with_params()
            self.sql += f" AND EXISTS ({subquery})"
            self.params += list(subparams)

    def of(self, page_ids: list[int]) -> dict[int, int]:
        """Which of ``page_ids`` may be ranked, with their content type ids."""
        admitted = {}
        with connection.cursor() as cursor:
            for ids_sql, ids_params in _id_lists("d.page_id", page_ids):
                cursor.execute(
                    "SELECT d.page_id, d.content_type_id FROM searchindex_indexedpage d"  # noqa: S608
                    f" WHERE {ids_sql} {self.sql}",
                    [*ids_params, *self.params],
                )
                admitted |= dict(cursor.fetchall())
        return admitted


def _scored(terms, candidates_sql, candidate_params, admission) -> dict[int, Ranked]:
    """Full scores of the candidate pages that may be ranked."""
    score, score_params = _score_sql(terms, "p.")
    in_terms, term_params = _in_terms(terms)
    sql = f"""
        WITH candidate AS (
            SELECT d.page_id, d.content_type_id FROM ({candidates_sql}) AS c
            JOIN searchindex_indexedpage d ON d.page_id = c.page_id
            WHERE 1 = 1 {admission.sql}
        )
        SELECT p.page_id, SUM({score}) AS score, c.content_type_id
        FROM candidate c
        JOIN searchindex_posting p ON p.page_id = c.page_id
        WHERE p.term_id {in_terms}
        GROUP BY p.page_id, c.content_type_id
    """  # noqa: S608 - placeholders only
    params = [*candidate_params, *admission.params, *score_params, *term_params]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {
            int(pk): Ranked(int(pk), int(score), type_id)
            for pk, score, type_id in cursor.fetchall()
        }


def holding(question, page_ids) -> list[tuple[int, int]]:
    """(page id, content type id) of the pages among ``page_ids`` holding one of the
    query's words (grams alone are no match), by page id: for counting matches among a
    few pages, not ranking."""
    terms = [t for t in _question(question).terms if not t.is_gram]
    page_ids = sorted(page_ids)
    if not terms or not page_ids:
        return []
    found = set()
    in_terms, term_params = _in_terms(terms)
    with connection.cursor() as cursor:
        for ids_sql, ids_params in _id_lists("d.page_id", page_ids):
            cursor.execute(
                "SELECT d.page_id, d.content_type_id FROM searchindex_indexedpage d"  # noqa: S608
                f" WHERE {ids_sql} AND EXISTS (SELECT 1 FROM searchindex_posting p"
                f" WHERE p.page_id = d.page_id AND p.term_id {in_terms})",
                [*ids_params, *term_params],
            )
            found.update(cursor.fetchall())
    return sorted(found)


def explain(question, page_id: int) -> list[TermPart]:
    """Each query term's part in ``page_id``'s score, rarest term first (``question``: as
    ``rank`` takes it)."""
    terms = _question(question).terms
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
