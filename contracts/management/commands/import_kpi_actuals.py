"""python manage.py import_kpi_actuals FILE: the admin's import, from the command line."""

from pathlib import Path

from django.core.management.base import CommandError

from contracts.importing import import_actuals
from portal.organisation.scoping import ScopedCommand, system_scope
from portal.tabular.reading import MAX_FILE_BYTES


class Command(ScopedCommand):
    help = "Import KPI actuals from a CSV or XLSX file, all or nothing (README: Contracts)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV or XLSX: vendor, KPI, period, value[, note]")

    @system_scope("imports any vendor's KPI actuals, from the command line")
    def handle(self, *args, file, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"No such file: {file}")
        if path.stat().st_size > MAX_FILE_BYTES:
            raise CommandError("The file is larger than 20 MB.")
        outcome = import_actuals(path.read_bytes(), path.name)
        if not outcome.ok:
            for error in outcome.errors:
                where = f"row {error.row}" if error.row else "file"
                self.stderr.write(f"{where}: {error.message}")
            raise CommandError(f"Nothing was imported: {len(outcome.errors)} problem(s).")
        self.stdout.write(
            f"{outcome.rows} rows: {outcome.created} new, {outcome.updated} updated, "
            f"{outcome.unchanged} unchanged."
        )
