"""Keeping the index in step with what is live.

A page type takes part by having ``search_text()``, which returns its text by field
(``title``, ``summary``, ``body``, ``scripts``; missing fields are empty). Publishing
indexes the page again; unpublishing, deleting or moving it out of the live site
removes it (``signal_handlers``); an import indexes all its pages at its end, in bulk
(``index_pages``, through ``deferred.deferred_indexing``). Who may open a page is
decided when searching, from the page's current audience, so an audience change needs
no re-indexing.

A posting's impact uses the corpus's average field lengths at the time it is written.
They drift a little as content is published; ``manage.py rebuild_search_index``
rewrites every impact from the stored counts (and ``--reanalyse`` from the pages'
text), after changing the ranking's parameters or a large import.
"""

import math
from collections import Counter
from dataclasses import dataclass
from itertools import pairwise

from django.conf import settings
from django.db import transaction
from django.db.models import Count, F
from wagtail.models import Page

from .korean import grams, is_gram, terms
from .models import Corpus, IndexedPage, Posting, Term

FIELDS = ("title", "summary", "body", "scripts")
#: Impacts and idf are stored and added up as integers: the same sums on every database.
IMPACT_SCALE = 1000
BATCH = 2000
#: The analysis the index is written with: 1, words and phrases; 2, and grams. Raise it
#: when ``index_terms`` changes, and migrating re-indexes every page once.
ANALYSIS = 2


@dataclass(frozen=True)
class Parameters:
    """BM25F's parameters (``settings.SEARCH_RANKING``; see the README)."""

    k1: float
    b: float
    weights: dict[str, float]
    #: What a phrase (two neighbouring words) weighs against a word.
    phrase_weight: float
    #: What a gram (two syllables of a word) weighs against a word.
    gram_weight: float

    @classmethod
    def from_settings(cls) -> "Parameters":
        config = settings.SEARCH_RANKING
        return cls(
            k1=config["K1"],
            b=config["B"],
            weights=dict(config["FIELD_WEIGHTS"]),
            phrase_weight=config["PHRASE_WEIGHT"],
            gram_weight=config["GRAM_WEIGHT"],
        )

    def term_weight(self, term: str) -> float:
        """What ``term`` weighs against a word: a phrase's or a gram's weight, or 1."""
        if is_gram(term):
            return self.gram_weight
        return self.phrase_weight if is_phrase(term) else 1.0


def is_indexed_type(page) -> bool:
    return callable(getattr(page, "search_text", None))


def with_phrases(words: list[str]) -> list[str]:
    """The words, and each pair of neighbouring words as one more term ("노아 방주"):
    a page that says what the question says, in that order, ranks above one that has
    the same words scattered."""
    return [*words, *(f"{a} {b}" for a, b in pairwise(words))]


def is_phrase(term: str) -> bool:
    return " " in term


def index_terms(text: str) -> list[str]:
    """What ``text`` is indexed as, and a question is searched as: its words, its phrases
    and its grams."""
    return [*with_phrases(terms(text)), *grams(text)]


def analyse_fields(page) -> dict[str, Counter]:
    """Term counts per field of ``page`` (a specific page)."""
    text = page.search_text()
    return {field: Counter(index_terms(text.get(field) or "")) for field in FIELDS}


def impact(counts: dict[str, int], lengths: dict[str, int], averages, parameters) -> int:
    """The term's BM25F weight: each field's count, normalised by the field's length
    against its average and weighted, summed, then saturated by ``k1``."""
    weighted = 0.0
    for field in FIELDS:
        count = counts.get(field, 0)
        if not count:
            continue
        average = averages.get(field) or 1.0
        norm = 1 - parameters.b + parameters.b * lengths[field] / average
        weighted += parameters.weights.get(field, 1.0) * count / norm
    saturated = weighted * (parameters.k1 + 1) / (parameters.k1 + weighted)
    return max(1, round(saturated * IMPACT_SCALE))


def idf(pages_with_term: int, pages: int) -> float:
    """BM25's inverse document frequency, never negative (Lucene's form)."""
    return math.log(1 + (pages - pages_with_term + 0.5) / (pages_with_term + 0.5))


def _averages(corpus: Corpus) -> dict[str, float]:
    pages = corpus.pages or 1
    return {field: getattr(corpus, f"{field}_length") / pages for field in FIELDS}


def _locked_corpus() -> Corpus:
    Corpus.objects.get_or_create(pk=1, defaults={"analysis": ANALYSIS})
    return Corpus.objects.select_for_update().get(pk=1)


def index_page(page) -> None:
    """(Re)index one live page; a page that is not live, or not searchable, is removed."""
    page = page.specific
    if not is_indexed_type(page) or not page.live:
        unindex_page(page.pk)
        return
    fields = analyse_fields(page)
    with transaction.atomic():
        corpus = _locked_corpus()
        _remove(page.pk, corpus)
        lengths = {field: sum(fields[field].values()) for field in FIELDS}
        corpus.pages += 1
        for field in FIELDS:
            setattr(corpus, f"{field}_length", getattr(corpus, f"{field}_length") + lengths[field])
        corpus.save()
        IndexedPage.objects.create(
            page_id=page.pk,
            content_type_id=page.content_type_id,
            **{f"{field}_length": lengths[field] for field in FIELDS},
        )
        by_term = _counts_by_term(fields)
        term_ids = _term_ids(by_term)
        Term.objects.filter(pk__in=term_ids.values()).update(pages=F("pages") + 1)
        averages, parameters = _averages(corpus), Parameters.from_settings()
        Posting.objects.bulk_create(
            _posting(term_ids[text], page.pk, counts, lengths, averages, parameters)
            for text, counts in by_term.items()
        )


def unindex_page(page_id: int) -> None:
    if not IndexedPage.objects.filter(pk=page_id).exists():
        return
    with transaction.atomic():
        corpus = _locked_corpus()
        _remove(page_id, corpus)
        corpus.save()


def _remove(page_id: int, corpus: Corpus) -> None:
    indexed = IndexedPage.objects.filter(pk=page_id).first()
    if indexed is None:
        return
    term_ids = Posting.objects.filter(page_id=page_id).values("term_id")
    Term.objects.filter(pk__in=term_ids).update(pages=F("pages") - 1)
    corpus.pages -= 1
    for field in FIELDS:
        total = getattr(corpus, f"{field}_length") - getattr(indexed, f"{field}_length")
        setattr(corpus, f"{field}_length", max(0, total))
    indexed.delete()  # its postings go with it


def index_pages(page_ids) -> None:
    """(Re)index many pages at once, as ``index_page`` would one by one (the live
    searchable ones are written, the others removed), in a few statements per batch
    instead of several per page. In the order of their ids (an import's, the order it
    created them), each page's impacts use the average lengths as they stand once it is
    in, as ``index_page`` would have left them: the same index, and the same ranking."""
    ids = sorted(set(page_ids))
    if not ids:
        return
    with transaction.atomic():
        corpus = _locked_corpus()
        analysed = []
        for start in range(0, len(ids), BATCH):
            chunk = ids[start : start + BATCH]
            _remove_many(chunk, corpus)
            for page in Page.objects.filter(pk__in=chunk).specific():
                if is_indexed_type(page) and page.live:
                    analysed.append((page.pk, page.content_type_id, analyse_fields(page)))
        _add_many(sorted(analysed, key=lambda row: row[0]), corpus)


def _remove_many(page_ids: list[int], corpus: Corpus) -> None:
    """``_remove`` for many pages: each term loses as many pages as held it."""
    indexed = list(IndexedPage.objects.filter(pk__in=page_ids))
    if not indexed:
        return
    held = (
        Posting.objects.filter(page_id__in=page_ids)
        .values("term_id")
        .annotate(pages=Count("page_id"))
        .values_list("term_id", "pages")
    )
    _add_to_term_pages(held, sign=-1)
    corpus.pages -= len(indexed)
    for field in FIELDS:
        removed = sum(getattr(row, f"{field}_length") for row in indexed)
        setattr(corpus, f"{field}_length", max(0, getattr(corpus, f"{field}_length") - removed))
    IndexedPage.objects.filter(pk__in=page_ids).delete()  # their postings go with them


def _add_to_term_pages(term_pages, sign: int) -> None:
    """Add (or, ``sign=-1``, take) each term's count of pages: one UPDATE per distinct
    count and batch, not one per term."""
    by_count: dict[int, list[int]] = {}
    for term_id, pages in term_pages:
        by_count.setdefault(pages, []).append(term_id)
    for pages, term_ids in by_count.items():
        for start in range(0, len(term_ids), BATCH):
            Term.objects.filter(pk__in=term_ids[start : start + BATCH]).update(
                pages=F("pages") + sign * pages
            )


def _add_many(analysed, corpus: Corpus) -> None:
    """Write ``analysed`` (as ``rebuild_from`` takes it) into the index beside what is in it."""
    if not analysed:
        corpus.save()
        return
    lengths_of = {
        pk: {field: sum(fields[field].values()) for field in FIELDS} for pk, _ct, fields in analysed
    }
    # The corpus as each page found it, one after another (see ``index_pages``).
    running = Corpus(pages=corpus.pages)
    for field in FIELDS:
        setattr(running, f"{field}_length", getattr(corpus, f"{field}_length"))
    corpus.pages += len(analysed)
    for field in FIELDS:
        added = sum(lengths[field] for lengths in lengths_of.values())
        setattr(corpus, f"{field}_length", getattr(corpus, f"{field}_length") + added)
    corpus.save()
    _write_indexed_pages(analysed, lengths_of)
    by_page = [(pk, _counts_by_term(fields)) for pk, _ct, fields in analysed]
    document_frequency: Counter = Counter()
    for _pk, by_term in by_page:
        document_frequency.update(by_term.keys())
    term_ids = _counted_term_ids(document_frequency)
    parameters = Parameters.from_settings()
    postings = []
    for pk, by_term in by_page:
        running.pages += 1
        for field in FIELDS:
            total = getattr(running, f"{field}_length") + lengths_of[pk][field]
            setattr(running, f"{field}_length", total)
        averages = _averages(running)
        for text, counts in by_term.items():
            postings.append(
                _posting(term_ids[text], pk, counts, lengths_of[pk], averages, parameters)
            )
        if len(postings) >= 10 * BATCH:
            Posting.objects.bulk_create(postings, batch_size=BATCH)
            postings = []
    Posting.objects.bulk_create(postings, batch_size=BATCH)


def _counted_term_ids(document_frequency: Counter) -> dict[str, int]:
    """Each term's id, its count of pages raised by ``document_frequency``: terms already
    known are counted up, new ones created with their count."""
    texts = list(document_frequency)
    ids: dict[str, int] = {}
    for start in range(0, len(texts), BATCH):
        chunk = texts[start : start + BATCH]
        known = dict(Term.objects.filter(text__in=chunk).values_list("text", "pk"))
        _add_to_term_pages(((pk, document_frequency[text]) for text, pk in known.items()), sign=1)
        new = [text for text in chunk if text not in known]
        Term.objects.bulk_create(Term(text=text, pages=document_frequency[text]) for text in new)
        ids |= known | dict(Term.objects.filter(text__in=new).values_list("text", "pk"))
    return ids


def _counts_by_term(fields: dict[str, Counter]) -> dict[str, dict[str, int]]:
    by_term: dict[str, dict[str, int]] = {}
    for field, counts in fields.items():
        for text, count in counts.items():
            # A term longer than the column is noise (a pasted hash or URL).
            if len(text) <= 100:
                by_term.setdefault(text, {})[field] = min(count, 32767)
    return by_term


def _term_ids(by_term) -> dict[str, int]:
    texts = list(by_term)
    ids: dict[str, int] = {}
    for start in range(0, len(texts), BATCH):
        chunk = texts[start : start + BATCH]
        Term.objects.bulk_create([Term(text=t) for t in chunk], ignore_conflicts=True)
        ids |= dict(Term.objects.filter(text__in=chunk).values_list("text", "pk"))
    return ids


def _posting(term_id, page_id, counts, lengths, averages, parameters) -> Posting:
    return Posting(
        term_id=term_id,
        page_id=page_id,
        impact=impact(counts, lengths, averages, parameters),
        **{f"{field}_count": counts.get(field, 0) for field in FIELDS},
    )


def rebuild(pages=None, *, reanalyse: bool = True, progress=None) -> int:
    """Index ``pages`` (default: every live searchable page) from scratch, in bulk: one
    pass to analyse, one to write. Returns the number of pages indexed.

    With ``reanalyse=False`` the stored counts are kept and only the impacts are
    recomputed (after changing ``SEARCH_RANKING``)."""
    if not reanalyse:
        return _recompute_impacts(progress)

    if pages is None:
        pages = Page.objects.live().specific().iterator(chunk_size=BATCH)
    analysed: list[tuple[int, int, dict]] = []
    for page in pages:
        if is_indexed_type(page) and page.live:
            analysed.append((page.pk, page.content_type_id, analyse_fields(page)))
            if progress and len(analysed) % BATCH == 0:
                progress(f"analysed {len(analysed)} pages")
    rebuild_from(analysed, progress)
    return len(analysed)


def rebuild_from(analysed, progress=None) -> None:
    """Replace the index with ``analysed``: (page id, content type id, term counts per
    field as ``analyse_fields`` gives them), in one transaction."""
    with transaction.atomic():
        _locked_corpus()
        Posting.objects.all().delete()
        IndexedPage.objects.all().delete()
        Term.objects.all().delete()
        _write_bulk(analysed, progress)


def _write_bulk(analysed, progress=None) -> None:
    lengths_of = {
        pk: {field: sum(fields[field].values()) for field in FIELDS} for pk, _ct, fields in analysed
    }
    corpus = Corpus.objects.get(pk=1)
    corpus.analysis = ANALYSIS
    corpus.pages = len(analysed)
    for field in FIELDS:
        setattr(corpus, f"{field}_length", sum(lengths[field] for lengths in lengths_of.values()))
    corpus.save()
    averages, parameters = _averages(corpus), Parameters.from_settings()
    _write_indexed_pages(analysed, lengths_of)
    document_frequency: Counter = Counter()
    by_page = []
    for pk, _ct, fields in analysed:
        by_term = _counts_by_term(fields)
        document_frequency.update(by_term.keys())
        by_page.append((pk, by_term))
    Term.objects.bulk_create(
        (Term(text=text, pages=count) for text, count in document_frequency.items()),
        batch_size=BATCH,
    )
    term_ids = dict(Term.objects.values_list("text", "pk"))
    postings = []
    written = 0
    for pk, by_term in by_page:
        for text, counts in by_term.items():
            postings.append(
                _posting(term_ids[text], pk, counts, lengths_of[pk], averages, parameters)
            )
        if len(postings) >= 10 * BATCH:
            Posting.objects.bulk_create(postings, batch_size=BATCH)
            written += len(postings)
            postings = []
            if progress:
                progress(f"wrote {written} postings")
    Posting.objects.bulk_create(postings, batch_size=BATCH)


def _recompute_impacts(progress=None) -> int:
    """Every posting's impact again from its stored counts: delete and write back in
    batches (one transaction), which is faster than an UPDATE per posting."""
    with transaction.atomic():
        corpus = _locked_corpus()
        averages, parameters = _averages(corpus), Parameters.from_settings()
        lengths_of = {
            row["pk"]: {field: row[f"{field}_length"] for field in FIELDS}
            for row in IndexedPage.objects.values("pk", *(f"{f}_length" for f in FIELDS))
        }
        postings = list(Posting.objects.all())
        for posting in postings:
            counts = {field: getattr(posting, f"{field}_count") for field in FIELDS}
            posting.impact = impact(counts, lengths_of[posting.page_id], averages, parameters)
        Posting.objects.all().delete()
        Posting.objects.bulk_create(postings, batch_size=BATCH)
    if progress:
        progress(f"recomputed {len(postings)} impacts")
    return corpus.pages


def _write_indexed_pages(analysed, lengths_of) -> None:
    """One ``IndexedPage`` row per analysed page, with its field lengths, in bulk."""
    IndexedPage.objects.bulk_create(
        (
            IndexedPage(
                page_id=pk,
                content_type_id=content_type_id,
                **{f"{field}_length": lengths_of[pk][field] for field in FIELDS},
            )
            for pk, content_type_id, _fields in analysed
        ),
        batch_size=BATCH,
    )
