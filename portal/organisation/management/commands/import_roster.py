"""python manage.py import_roster FILE --vendor CODE [--deactivate-missing] [--dry-run]"""

import json
from pathlib import Path

from django.core.management.base import CommandError

from portal.organisation.models import Vendor
from portal.organisation.roster import import_roster
from portal.organisation.scoping import ScopedCommand, system_scope


class Command(ScopedCommand):
    help = (
        "Import a vendor's agents from a CSV (UTF-8 or CP949/EUC-KR) or XLSX file. "
        "All or nothing: one bad row and nothing is written; every bad row is listed."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV or XLSX roster file")
        parser.add_argument("--vendor", required=True, help="vendor code, e.g. HGCS")
        parser.add_argument(
            "--deactivate-missing",
            action="store_true",
            help="mark active agents of the vendor who are not in the file as left",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="check and report; write nothing"
        )
        parser.add_argument("--json", action="store_true", help="print the report as JSON")

    @system_scope("imports one vendor's roster, named on the command line")
    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        vendor = Vendor.objects.unscoped().filter(code__iexact=options["vendor"]).first()
        if vendor is None:
            known = ", ".join(Vendor.objects.unscoped().values_list("code", flat=True)) or "none"
            raise CommandError(f"Unknown vendor code {options['vendor']!r} (known: {known}).")

        report = import_roster(
            vendor,
            path.read_bytes(),
            path.name,
            deactivate_missing=options["deactivate_missing"],
            dry_run=options["dry_run"],
        )
        if options["json"]:
            self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False))
        elif report.ok:
            verb = "Would import" if report.dry_run else "Imported"
            self.stdout.write(
                self.style.SUCCESS(
                    f"{verb} {report.rows} rows for {vendor.code}: {report.created} created, "
                    f"{report.updated} updated, {report.unchanged} unchanged, "
                    f"{report.deactivated} deactivated."
                )
            )
        else:
            for error in report.errors:
                self.stderr.write(str(error))
        if not report.ok:
            raise CommandError(
                f"Nothing was imported: {len(report.errors)} problem(s) in {path.name}."
            )
