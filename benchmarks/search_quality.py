"""Search quality on real Korean questions: KorQuAD 1.0's development set.

    .venv/bin/python benchmarks/search_quality.py [--questions N] [--explain N] [--rankings FILE]
    DATABASE_URL=postgres://... .venv/bin/python benchmarks/search_quality.py
    .venv/bin/python benchmarks/search_quality.py --compare sqlite.jsonl postgresql.jsonl

Imports KorQuAD's 964 paragraphs as articles with ``import_knowledge`` into one section
(title: the Wikipedia article's title, shared by its paragraphs), then runs its 5,774
questions (or the first N) through ``evaluate_search``, each expecting the paragraph it
was written from. Prints ``evaluate_search --json``'s line last. ``--rankings`` keeps
each question's first five hits; ``--compare`` tells for how many questions two such
files (two databases) agree on all five.
See benchmarks/data/korquad/README.md for the data's source and licence.
"""

import argparse
import gzip
import json
import sys
import tempfile
from pathlib import Path

from _django import benchmark_database

DATA = Path(__file__).resolve().parent / "data" / "korquad" / "KorQuAD_v1.0_dev.json.gz"


def korquad() -> tuple[list[dict], list[dict]]:
    """(import lines, questions) from the dataset, in its order."""
    data = json.loads(gzip.decompress(DATA.read_bytes()))
    lines, questions = [], []
    for article_number, article in enumerate(data["data"], start=1):
        title = article["title"]
        for paragraph_number, paragraph in enumerate(article["paragraphs"], start=1):
            external_id = f"korquad-{article_number:03d}-{paragraph_number:02d}"
            lines.append(
                {
                    "external_id": external_id,
                    "kind": "article",
                    "title": title,
                    "body": paragraph["context"],
                    "section": "KorQuAD 1.0",
                }
            )
            questions += [
                {"query": qa["question"], "expected": [external_id]} for qa in paragraph["qas"]
            ]
    return lines, questions


def compare(first: Path, second: Path) -> None:
    def read(path):
        rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
        return [(row["query"], row["top5"]) for row in rows]

    a, b = read(first), read(second)
    if [q for q, _ in a] != [q for q, _ in b]:
        raise SystemExit("the two files do not hold the same questions in the same order")
    same = sum(top_a == top_b for (_q, top_a), (_q2, top_b) in zip(a, b, strict=True))
    first_same = sum(top_a[:1] == top_b[:1] for (_q, top_a), (_q2, top_b) in zip(a, b, strict=True))
    print(json.dumps({"questions": len(a), "same_top5": round(same / len(a), 4),
                      "same_top1": round(first_same / len(a), 4)}))  # fmt: skip


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--questions", type=int, default=0, help="only the first N questions")
    parser.add_argument("--explain", type=int, default=0)
    parser.add_argument("--rankings", type=Path)
    parser.add_argument("--compare", nargs=2, type=Path, metavar="FILE")
    parser.add_argument("--keep", action="store_true", help="keep (and reuse) the database")
    args = parser.parse_args()
    if args.compare:
        compare(*args.compare)
        return

    lines, questions = korquad()
    if args.questions:
        questions = questions[: args.questions]
    with benchmark_database(keep=args.keep, name="portal_korquad") as connection:
        from django.core.management import call_command

        from knowledge.models import ArticlePage

        with tempfile.TemporaryDirectory() as folder:
            pages = Path(folder) / "korquad.jsonl"
            asked = Path(folder) / "questions.jsonl"
            pages.write_text(
                "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines), "utf-8"
            )
            asked.write_text(
                "".join(json.dumps(q, ensure_ascii=False) + "\n" for q in questions), "utf-8"
            )
            if ArticlePage.objects.filter(external_id__startswith="korquad-").count() != len(lines):
                call_command("import_knowledge", str(pages))
            # Publishing indexed each page with the average lengths of its time; a rebuild
            # evens them out (as the README advises after a large import), so that every
            # database, and a kept one, ranks the same index.
            call_command("rebuild_search_index")
            print(f"engine: {connection.vendor}; {len(lines)} pages, {len(questions)} questions",
                  file=sys.stderr)  # fmt: skip
            options = ["--json", "--explain", str(args.explain)]
            if args.rankings:
                options += ["--rankings", str(args.rankings.resolve())]
            call_command("evaluate_search", str(asked), *options)


if __name__ == "__main__":
    main()
