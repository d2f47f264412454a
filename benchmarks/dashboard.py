"""The manager dashboard of one notice with N recipients.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal \\
        .venv/bin/python benchmarks/dashboard.py [--recipients 10000] [--requests 50]

Writes N deliveries (60% acknowledged) in bulk, then requests the status page as a
client manager and prints p50/p95 and the number of queries of one request, as its last
line: {"recipients": N, "p50_ms": ..., "p95_ms": ..., "queries": ...}. It also checks
the query count is the same at a tenth of N (it must not grow with recipients).
"""

import argparse
import json
import time

from _django import benchmark_database


def percentile(values, pct):
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(pct / 100 * len(ordered) + 0.5) - 1))]


def build(recipients: int):
    """A notice delivered to ``recipients`` agents, 60% of whom acknowledged."""
    from _notices import bulk_acknowledge, make_agents, publish_notice_for_everyone
    from django.utils import timezone

    from notices.delivery import create_deliveries
    from notices.versions import current_material_version

    agents = make_agents(recipients)
    notice = publish_notice_for_everyone()
    version = current_material_version(notice)
    for start in range(0, len(agents), 1000):
        create_deliveries(version, [a.pk for a in agents[start : start + 1000]])
    acknowledging = agents[: recipients * 6 // 10]
    now = timezone.now()
    bulk_acknowledge(
        notice, version, acknowledging, when=lambda i: now - timezone.timedelta(hours=i % 72)
    )
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # as autovacuum would after a bulk load
    return notice


def measure(notice, requests: int):
    from django.db import connection
    from django.test import Client

    from tests.factories import make_client_staff

    client = Client()
    client.force_login(make_client_staff())
    url = f"/notices/manage/{notice.pk}/"
    assert client.get(url).status_code == 200
    queries = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        client.get(url)
    latencies = []
    for _ in range(requests):
        started = time.perf_counter()
        response = client.get(url)
        latencies.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    return latencies, len(queries)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--recipients", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=50)
    args = parser.parse_args()
    with benchmark_database(name="portal_bench_dashboard") as connection:
        from django.conf import settings

        settings.ALLOWED_HOSTS = ["*"]
        small = build(args.recipients // 10)
        _, small_queries = measure(small, 1)
        large = build(args.recipients)
        latencies, queries = measure(large, args.requests)
        print(
            f"engine: {connection.vendor}; queries with {args.recipients // 10} recipients: "
            f"{small_queries}, with {args.recipients}: {queries}"
        )
        print(
            json.dumps(
                {
                    "recipients": args.recipients,
                    "p50_ms": round(percentile(latencies, 50), 1),
                    "p95_ms": round(percentile(latencies, 95), 1),
                    "queries": queries,
                }
            )
        )


if __name__ == "__main__":
    main()
