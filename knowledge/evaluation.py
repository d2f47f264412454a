"""Search quality on a set of questions with known answers: recall@1, recall@5, MRR, latency."""

import json
import statistics
import time
from dataclasses import dataclass

from .search import search_knowledge


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

    def as_dict(self) -> dict:
        return {
            "queries": self.queries,
            "recall_at_1": round(self.recall_at_1, 4),
            "recall_at_5": round(self.recall_at_5, 4),
            "mrr": round(self.mrr, 4),
            "p50_ms": round(self.p50_ms, 2),
            "p95_ms": round(self.p95_ms, 2),
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
    return Evaluation(
        queries=len(questions),
        recall_at_1=statistics.fmean(recall1),
        recall_at_5=statistics.fmean(recall5),
        mrr=statistics.fmean(reciprocal),
        p50_ms=percentile(latencies, 50),
        p95_ms=percentile(latencies, 95),
        misses=misses,
    )


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    index = max(0, min(len(ordered) - 1, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]
