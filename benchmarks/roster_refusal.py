"""Refuse a 1,000,000-row XLSX of about 700 KB through ``import_roster``, and measure it.

    .venv/bin/python benchmarks/roster_refusal.py [--rows 1000000] [--dimension]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal \
        .venv/bin/python benchmarks/roster_refusal.py

Before issue 10 such a file was read whole before its rows were counted: 148 s and about
1 GB. The sheet does not declare its dimension unless ``--dimension`` is given, so by
default the refusal comes from counting rows while reading, the slower way.

Prints the refusal and, as the last line, {"rows", "bytes", "dimension", "seconds",
"peak_traced_mib", "max_rss_delta_mib"}: ``seconds`` without tracing, the traced peak
from ``tracemalloc`` in a second run, and the growth of the process's peak resident
memory (``ru_maxrss``) over both runs.
"""

import argparse
import json
import resource
import time
import tracemalloc

from _django import benchmark_database


def max_rss_mib() -> float:
    # Linux reports kibibytes.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--dimension", action="store_true", help="declare A1:D<rows+1>")
    args = parser.parse_args()

    with benchmark_database(name="portal_bench_roster_refusal") as connection:
        from portal.organisation.models import Client, Vendor
        from portal.organisation.roster import import_roster
        from tests.portal.organisation.workbooks import million_row_xlsx

        client = Client.objects.create(name="벤치마크", code="BENCH")
        vendor = Vendor.objects.create(client=client, name="벤치 협력사", code="BV")
        data = million_row_xlsx(args.rows, dimension=args.dimension)
        rss_before = max_rss_mib()

        started = time.perf_counter()
        report = import_roster(vendor, data, "million.xlsx")
        seconds = time.perf_counter() - started
        assert not report.ok and report.created == 0, report.as_dict()

        tracemalloc.start()
        import_roster(vendor, data, "million.xlsx")
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        rss_delta = max_rss_mib() - rss_before

        print(f"engine: {connection.vendor}")
        print(f"file: {args.rows} rows, {len(data) / 1024:.0f} KiB")
        print(f"refused in {seconds:.2f} s: {report.errors[0]}")
        print(
            json.dumps(
                {
                    "rows": args.rows,
                    "bytes": len(data),
                    "dimension": args.dimension,
                    "seconds": round(seconds, 3),
                    "peak_traced_mib": round(peak / 2**20, 1),
                    "max_rss_delta_mib": round(rss_delta, 1),
                }
            )
        )


if __name__ == "__main__":
    main()
