"""Import a generated 10,000-row roster and time it.

    .venv/bin/python benchmarks/roster_import.py [--rows 10000]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal \
        .venv/bin/python benchmarks/roster_import.py

Prints the first import (everything created), a re-import of the same file (nothing
changes) and, as the last line, {"rows": N, "seconds": <first import>}.
"""

import argparse
import csv
import io
import json
import time

from _django import benchmark_database


def roster_csv(rows: int, teams: list[str]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["사번", "이름", "이메일", "팀", "채널", "스킬", "투입일", "상태"])
    channels = ["전화", "채팅", "전화, 채팅", "메신저", "이메일"]
    skills = ["환불", "교환, 배송", "VIP", "", "쿠폰, 멤버십"]
    for i in range(rows):
        writer.writerow(
            [
                f"B{i:06d}",
                f"상담사{i}",
                f"agent{i}@bench.example",
                teams[i % len(teams)],
                channels[i % len(channels)],
                skills[i % len(skills)],
                f"2026-12-{1 + i % 28:02d}",
                "재직",
            ]
        )
    # Korean Excel's own encoding, the slowest path through the reader.
    return buffer.getvalue().encode("cp949")


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=10_000)
    args = parser.parse_args()

    with benchmark_database() as connection:
        from portal.organisation.models import Client, Team, Vendor
        from portal.organisation.roster import import_roster

        client = Client.objects.create(name="벤치마크", code="BENCH")
        vendor = Vendor.objects.create(client=client, name="벤치 협력사", code="BV")
        teams = [f"T{n}" for n in range(8)]
        Team.objects.bulk_create([Team(vendor=vendor, code=c, name=f"{c} 팀") for c in teams])
        data = roster_csv(args.rows, teams)

        started = time.perf_counter()
        report = import_roster(vendor, data, "bench.csv")
        seconds = time.perf_counter() - started
        assert report.ok and report.created == args.rows, report.errors[:5]

        started = time.perf_counter()
        again = import_roster(vendor, data, "bench.csv")
        reimport_seconds = time.perf_counter() - started
        assert again.ok and again.unchanged == args.rows

        print(f"engine: {connection.vendor}")
        print(f"first import: {args.rows} rows created in {seconds:.2f} s")
        print(
            f"re-import of the same file: {again.unchanged} unchanged in {reimport_seconds:.2f} s"
        )
        print(json.dumps({"rows": args.rows, "seconds": round(seconds, 2)}))


if __name__ == "__main__":
    main()
