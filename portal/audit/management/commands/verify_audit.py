"""Check the audit trail's hash chain and the acknowledgements that point into it."""

import json

from django.core.management.base import CommandError

from portal.audit.chain import verify_chain, verify_linked_records
from portal.organisation.scoping import ScopedCommand, system_scope


class Command(ScopedCommand):
    help = "Verify that no audit record was changed, removed or reordered."

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="print one JSON object last")

    @system_scope("verifies every vendor's records")
    def handle(self, *args, **options):
        report = verify_chain()
        problems = report.problems + verify_linked_records()
        for problem in problems:
            self.stderr.write(problem)
        if options["json"]:
            self.stdout.write(json.dumps({"records": report.records, "problems": len(problems)}))
        if problems:
            raise CommandError(f"audit trail broken: {len(problems)} problem(s)")
        self.stdout.write(self.style.SUCCESS(f"audit trail intact: {report.records} records"))
