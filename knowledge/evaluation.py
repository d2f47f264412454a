"""Search quality on a set of questions with known answers: recall@1, recall@5, MRR,
latency (warm, and the first search of the process apart), and why a question missed."""

import json
import statistics
import time
from dataclasses import dataclass, field

from searchindex.korean import is_gram, terms
from searchindex.ranking import explain

from .models import KnowledgePage
from .ranking import question
from .search import MAX_CANDIDATES, search_knowledge


class EvaluationFileError(ValueError):
    pass


@dataclass
class Evaluation:
    queries: int
    recall_at_1: float
    recall_at_5: float
    mrr: float
    p50_ms: float
    p95_ms: float
    misses: list[str]
    #: The first search of the process (Kiwi's model loading, if nothing preloaded it).
    cold_start_ms: float = 0.0
    #: Per question, the external ids of the first five hits.
    rankings: list[tuple[str, list[str]]] = field(default_factory=list)
    #: Questions whose expected page is not first, with what was found instead.
    not_first: list[tuple[str, list[str], list[str]]] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "queries": self.queries,
            "recall_at_1": round(self.recall_at_1, 4),
            "recall_at_5": round(self.recall_at_5, 4),
            "mrr": round(self.mrr, 4),
            "p50_ms": round(self.p50_ms, 2),
            "p95_ms": round(self.p95_ms, 2),
            "cold_start_ms": round(self.cold_start_ms, 1),
        }


def read_questions(text: str) -> list[tuple[str, list[str]]]:
    questions, problems = [], []
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            item = json.loads(raw)
            query, expected = item["query"], item["expected"]
            if not isinstance(query, str) or not query.strip():
                raise ValueError("query must be non-empty text")
            if not isinstance(expected, list) or not expected:
                raise ValueError("expected must be a non-empty list of external_id")
        except (json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
            problems.append(f"line {number}: {exc}")
            continue
        questions.append((query, [str(e) for e in expected]))
    if problems:
        raise EvaluationFileError("\n".join(problems))
    if not questions:
        raise EvaluationFileError("the file has no questions")
    return questions


def evaluate(questions, user) -> Evaluation:
    recall1, recall5, reciprocal, latencies, misses = [], [], [], [], []
    rankings, not_first = [], []
    started = time.perf_counter()
    search_knowledge(user, questions[0][0], per_page=5)
    cold_start_ms = (time.perf_counter() - started) * 1000
    for query, expected in questions:
        started = time.perf_counter()
        results = search_knowledge(user, query, per_page=5)
        latencies.append((time.perf_counter() - started) * 1000)
        ranked = [getattr(hit.page, "external_id", "") for hit in results.hits]
        wanted = set(expected)
        recall1.append(1.0 if ranked[:1] and ranked[0] in wanted else 0.0)
        recall5.append(len(wanted & set(ranked[:5])) / len(wanted))
        rank = next(
            (i for i, external_id in enumerate(ranked, start=1) if external_id in wanted), None
        )
        reciprocal.append(1 / rank if rank else 0.0)
        if rank is None:
            misses.append(query)
        if rank != 1:
            not_first.append((query, expected, ranked))
        rankings.append((query, ranked))
    return Evaluation(
        queries=len(questions),
        recall_at_1=statistics.fmean(recall1),
        recall_at_5=statistics.fmean(recall5),
        mrr=statistics.fmean(reciprocal),
        p50_ms=percentile(latencies, 50),
        p95_ms=percentile(latencies, 95),
        misses=misses,
        cold_start_ms=cold_start_ms,
        rankings=rankings,
        not_first=not_first,
    )


def explanation(query: str, expected: list[str], found: list[str], user) -> list[str]:
    """Lines saying why ``query`` did not put ``expected`` first: its terms (pages
    holding each, idf), the expected page's rank and score parts, the first hit's."""
    analysed = terms(query)
    lines = [f"query: {query}", f"terms: {' '.join(analysed) or '(none)'}"]
    ranked = search_knowledge(user, query, per_page=MAX_CANDIDATES).hits
    ranked_ids = [getattr(hit.page, "external_id", "") for hit in ranked]
    asked = question(query)  # its terms looked up once, for both pages explained
    wanted = [*expected[:1], *found[:1]]
    for label, external_id in zip(("expected", "first"), wanted, strict=False):
        page = _knowledge_page(external_id)
        if page is None:
            lines.append(f"  {label} {external_id}: no such page")
            continue
        position = ranked_ids.index(external_id) + 1 if external_id in ranked_ids else None
        parts = explain(asked, page.pk)
        total = sum(part.score for part in parts)
        where = f"rank {position}" if position else f"not in the first {MAX_CANDIDATES}"
        lines.append(f"  {label} {external_id} ({page.title}): {where}, score {total}")
        for part in parts:
            if is_gram(part.text) and not part.score:
                continue  # a question has many grams; those the page lacks say little
            counts = " ".join(f"{f}={n}" for f, n in part.counts.items() if n) or "absent"
            lines.append(
                f"    {part.text}: {part.pages} pages, idf {part.idf:.2f}, {counts}, "
                f"impact {part.impact}, adds {part.score}"
            )
    return lines


def _knowledge_page(external_id: str):
    for model in KnowledgePage.__subclasses__():
        page = model.objects.filter(external_id=external_id).first()
        if page is not None:
            return page
    return None


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    index = max(0, min(len(ordered) - 1, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]
