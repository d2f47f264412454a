"""Write one vendor's records, for hand-over at a contract's end, into one archive."""

import json
from pathlib import Path

from django.core.management.base import CommandError

from handover.archive import file_sha256, write_archive
from portal.organisation.models import Vendor
from portal.organisation.scoping import ScopedCommand, system_scope


class Command(ScopedCommand):
    help = (
        "Write records-<VENDOR>-<YYYYMMDD-HHMM>.zip into DIR: the vendor's agents and "
        "teams, acknowledgements, sign-offs and decisions with their audit proofs, "
        "training results, feedback and KPI actuals, as CSV and JSON Lines, with a "
        "MANIFEST.json (check it with verify_export)."
    )

    def add_arguments(self, parser):
        parser.add_argument("vendor_code", metavar="VENDOR_CODE")
        parser.add_argument("--out", required=True, metavar="DIR", type=Path)
        parser.add_argument("--json", action="store_true", help="print one JSON object last")

    @system_scope("whoever runs the command on the server hands a vendor's records over")
    def handle(self, *args, vendor_code, out, **options):
        # The code as written; else in any case, when that names one vendor only.
        vendor = Vendor.objects.filter(code=vendor_code).first()
        if vendor is None:
            matching = list(Vendor.objects.filter(code__iexact=vendor_code)[:2])
            if len(matching) != 1:
                raise CommandError(f"No vendor has the code {vendor_code!r}.")
            vendor = matching[0]
        if out.exists() and not out.is_dir():
            raise CommandError(f"{out} is not a folder.")

        def progress(done, total, records):
            if options["verbosity"] > 1:
                self.stderr.write(f"{done}/{total} kinds, {records} records")

        path, manifest = write_archive(vendor, out, progress=progress)
        counts = {
            entry["name"].removesuffix(".csv"): entry["records"]
            for entry in manifest["files"]
            if entry["name"].endswith(".csv")
        }
        checkpoint = manifest["ledger"]["checkpoint"]
        summary = {
            "archive": str(path),
            "sha256": file_sha256(path),
            "records": counts,
            "checkpoint": checkpoint and checkpoint["records"],
        }
        self.stdout.write(
            self.style.SUCCESS(
                f"{path}: {sum(counts.values())} records of {vendor.code}, "
                f"SHA-256 {summary['sha256']}"
            )
        )
        if options["json"]:
            self.stdout.write(json.dumps(summary, ensure_ascii=False))
