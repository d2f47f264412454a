"""Check the audit chain, the records that point into it, and every checkpoint."""

import json

from django.conf import settings
from django.core.management.base import CommandError

from portal.audit.chain import verify_chain, verify_linked_records
from portal.audit.checkpoints import verify_checkpoints
from portal.organisation.scoping import ScopedCommand, system_scope


class Command(ScopedCommand):
    help = (
        "Verify that no audit record was changed, removed or reordered: the keyed chain, "
        "each acknowledgement and sign-off against its record, and the chain against "
        "every checkpoint in AUDIT_CHECKPOINT_DIR. Exits non-zero, listing what is wrong."
    )

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="print one JSON object last")

    @system_scope("verifies every vendor's records")
    def handle(self, *args, **options):
        report = verify_chain()
        checkpoints, against_checkpoints = verify_checkpoints()
        problems = report.problems + verify_linked_records() + against_checkpoints
        for warning in report.warnings:
            self.stderr.write(f"warning: {warning}")
        for problem in problems:
            self.stderr.write(problem)
        if options["json"]:
            summary = {
                "records": report.records,
                "pending": report.pending,
                "checkpoints": checkpoints,
                "problems": len(problems),
                "warnings": len(report.warnings),
            }
            self.stdout.write(json.dumps(summary))
        if problems:
            raise CommandError(f"audit trail broken: {len(problems)} problem(s)")
        anchored = (
            f"held to {checkpoints} checkpoint(s) in {settings.AUDIT_CHECKPOINT_DIR}"
            if checkpoints
            else "no checkpoint yet (manage.py audit_checkpoint)"
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"audit trail intact: {report.records} records sealed, {report.pending} "
                f"pending (under {settings.AUDIT_MERGE_DELAY_SECONDS} s), {anchored}"
            )
        )
