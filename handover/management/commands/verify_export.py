"""Check a records hand-over archive against its manifest."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from handover.archive import verify_archive


class Command(BaseCommand):
    help = (
        "Recompute every file's SHA-256 and record count in a records archive and check "
        "the manifest's keyed MAC (AUDIT_KEY). Exits non-zero, naming each difference."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", metavar="ARCHIVE", type=Path)
        parser.add_argument("--json", action="store_true", help="print one JSON object last")

    def handle(self, *args, archive, **options):
        verdict = verify_archive(archive)
        for problem in verdict.problems:
            self.stderr.write(problem)
        if options["json"]:
            self.stdout.write(
                json.dumps(
                    {
                        "archive": str(archive),
                        "intact": verdict.intact,
                        "files": verdict.files,
                        "records": verdict.records,
                        "problems": verdict.problems,
                    },
                    ensure_ascii=False,
                )
            )
        if not verdict.intact:
            raise CommandError(f"{archive.name}: {len(verdict.problems)} difference(s)")
        vendor = verdict.manifest["vendor"]["code"]
        checkpoint = verdict.manifest["ledger"]["checkpoint"]
        anchored = (
            f"checkpoint of {checkpoint['records']} records" if checkpoint else "no checkpoint"
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"{archive.name}: intact, {verdict.files} files, {verdict.records} records of "
                f"{vendor}, {anchored}"
            )
        )
