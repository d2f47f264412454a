"""python manage.py evaluate_search QUESTIONS.jsonl [--json] [--user USERNAME] [--explain N]
[--rankings FILE]"""

import json
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError

from knowledge.evaluation import EvaluationFileError, evaluate, explanation, read_questions
from portal.organisation.scoping import ScopedCommand, SystemViewer, acting_as, system_scope


class Command(ScopedCommand):
    help = (
        "Run each {query, expected} line through the agents' search and print recall@1, "
        "recall@5, MRR and p50/p95 latency."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--json", action="store_true", help="last line: one JSON object")
        parser.add_argument(
            "--user", help="search as this account (default: sees all published content)"
        )
        parser.add_argument(
            "--explain",
            type=int,
            default=0,
            metavar="N",
            help="for the first N questions whose page is not first: terms, rank, score parts",
        )
        parser.add_argument(
            "--rankings", metavar="FILE", help="write each question's first five hits (JSONL)"
        )

    @system_scope("reads the questions; searches run as the chosen reader")
    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        try:
            questions = read_questions(path.read_text(encoding="utf-8-sig"))
        except (EvaluationFileError, UnicodeDecodeError) as exc:
            raise CommandError(f"{path.name}: {exc}") from exc
        user = SystemViewer("evaluate_search")
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"No account {options['user']!r}.")
        with acting_as(user):
            result = evaluate(questions, user)
            for query, expected, found in result.not_first[: options["explain"]]:
                for line in explanation(query, expected, found, user):
                    self.stdout.write(line)
        if options["rankings"]:
            with Path(options["rankings"]).open("w", encoding="utf-8") as out:
                for query, ranked in result.rankings:
                    out.write(json.dumps({"query": query, "top5": ranked}, ensure_ascii=False))
                    out.write("\n")
        if not options["json"]:
            for query in result.misses:
                self.stdout.write(f"miss: {query}")
            self.stdout.write(
                f"{result.queries} queries: recall@1 {result.recall_at_1:.3f}, "
                f"recall@5 {result.recall_at_5:.3f}, MRR {result.mrr:.3f}, "
                f"p50 {result.p50_ms:.1f} ms, p95 {result.p95_ms:.1f} ms (warm); "
                f"first search {result.cold_start_ms:.0f} ms"
            )
        else:
            self.stdout.write(json.dumps(result.as_dict()))
