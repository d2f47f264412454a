"""python manage.py import_knowledge FILE.jsonl [--draft]"""

import sys
from pathlib import Path

from django.core.management.base import CommandError

from knowledge.importing import MAX_LINE_BYTES, import_knowledge
from portal.organisation.scoping import ScopedCommand, system_scope


class Command(ScopedCommand):
    help = (
        "Import articles, answer policies and the vision from JSON Lines (UTF-8, at most "
        f"{MAX_LINE_BYTES} bytes a line). Idempotent by external_id; one bad line and "
        "nothing is imported."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--draft", action="store_true", help="save as drafts; do not publish")

    @system_scope("imports the client's pages")
    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        # Read as bytes, a line at a time: import_knowledge refuses an oversized line
        # before it is ever held whole in memory.
        with path.open("rb") as stream:
            report = import_knowledge(stream, publish=not options["draft"], progress=self._progress)
        if not report.ok:
            for error in report.errors:
                self.stderr.write(str(error))
            raise CommandError(
                f"Nothing was imported: {len(report.errors)} problem(s) in {path.name}."
            )
        state = "drafts" if options["draft"] else "published"
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {report.lines} lines ({state}): {report.created} created, "
                f"{report.updated} updated, {report.unchanged} unchanged."
            )
        )

    def _progress(self, done: int, total: int) -> None:
        if done == total or done % 50 == 0:
            width = 30
            filled = width * done // total
            sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
            if done == total:
                sys.stderr.write("\n")
            sys.stderr.flush()
