"""python manage.py rebuild_search_index [--impacts-only]"""

import time

from portal.organisation.scoping import ScopedCommand, system_scope
from searchindex.indexing import rebuild


class Command(ScopedCommand):
    help = (
        "Index every live searchable page again from its text (Kiwi analysis), or with "
        "--impacts-only recompute each posting's weight from the stored counts, after "
        "changing SEARCH_RANKING or when average page lengths have drifted."
    )

    def add_arguments(self, parser):
        parser.add_argument("--impacts-only", action="store_true")

    @system_scope("indexes every page")
    def handle(self, *args, **options):
        started = time.perf_counter()
        pages = rebuild(
            reanalyse=not options["impacts_only"],
            progress=lambda message: self.stdout.write(f"  {message}"),
        )
        self.stdout.write(f"{pages} pages indexed in {time.perf_counter() - started:.1f} s")
