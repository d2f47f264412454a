"""python manage.py evaluate_search QUESTIONS.jsonl [--json] [--user USERNAME]"""

import json
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from knowledge.evaluation import EvaluationFileError, evaluate, read_questions
from portal.organisation.scoping import SystemViewer


class Command(BaseCommand):
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

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        try:
            questions = read_questions(path.read_text(encoding="utf-8-sig"))
        except (EvaluationFileError, UnicodeDecodeError) as exc:
            raise CommandError(f"{path.name}: {exc}") from exc
        user = SystemViewer()
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"No account {options['user']!r}.")
        result = evaluate(questions, user)
        if not options["json"]:
            for query in result.misses:
                self.stdout.write(f"miss: {query}")
            self.stdout.write(
                f"{result.queries} queries: recall@1 {result.recall_at_1:.3f}, "
                f"recall@5 {result.recall_at_5:.3f}, MRR {result.mrr:.3f}, "
                f"p50 {result.p50_ms:.1f} ms, p95 {result.p95_ms:.1f} ms"
            )
        else:
            self.stdout.write(json.dumps(result.as_dict()))
