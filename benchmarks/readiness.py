"""The go-live readiness view for N agents, 10 required courses and 20 required notices.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal \\
        .venv/bin/python benchmarks/readiness.py [--agents 2000] [--requests 30]

Writes the agents (one in three ready, the others missing a course or a notice or
more), their course progress, deliveries of every notice to every agent and
acknowledgements in bulk, then requests
the readiness view as a client manager (every vendor: the largest view) and prints
p50/p95 and the number of queries of one request, as its last line:
{"agents": N, "p50_ms": ..., "p95_ms": ..., "queries": ...}. It also checks the query
count is the same at a tenth of N (it must not grow with the number of agents).
"""

import argparse
import json
import re
import time
from datetime import timedelta

from _django import benchmark_database

COURSES = 10
NOTICES = 20


def percentile(values, pct):
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(pct / 100 * len(ordered) + 0.5) - 1))]


def passes(i: int, c: int) -> bool:
    """One agent in three has done everything; the others pass three courses in four."""
    return i % 3 == 0 or bool((i + c) % 4)


def content(agents: int):
    """The courses and notices (once), with progress and acknowledgements for ``agents``
    new agents."""
    from _notices import bulk_acknowledge, make_agents, publish_notice_for_everyone
    from django.utils import timezone

    from notices.delivery import create_deliveries
    from notices.models import ChangeNoticePage
    from notices.versions import current_material_version
    from portal.organisation.models import AgentProfile
    from tests.training.conftest import publish_course
    from training.models import CoursePage, CourseProgress

    courses = list(CoursePage.objects.order_by("pk"))
    if not courses:
        courses = [publish_course(f"필수 교육 {n + 1}", lessons=4) for n in range(COURSES)]
    notices = list(ChangeNoticePage.objects.order_by("pk"))
    if not notices:
        notices = [publish_notice_for_everyone(f"공지 {n + 1}") for n in range(NOTICES)]
    made = make_agents(agents)
    today = timezone.localdate()
    for index, agent in enumerate(made):
        agent.go_live_date = today + timedelta(days=7 * (1 + index % 3))
    AgentProfile.objects.bulk_update(made, ["go_live_date"], batch_size=2000)
    CourseProgress.objects.bulk_create(
        [
            CourseProgress(
                agent=agent,
                course=course,
                lessons_done=4 if passes(i, c) else 2,
                lessons_total=4,
                quiz_passed=passes(i, c),
                completed_version=1 if passes(i, c) else None,
            )
            for i, agent in enumerate(made)
            for c, course in enumerate(courses)
        ],
        batch_size=5000,
    )
    for n, notice in enumerate(notices):
        version = current_material_version(notice)
        for start in range(0, len(made), 1000):
            create_deliveries(version, [a.pk for a in made[start : start + 1000]])
        acknowledging = [a for i, a in enumerate(made) if i % 3 == 0 or (i + n) % 5]
        bulk_acknowledge(notice, version, acknowledging)
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # as autovacuum would after a bulk load


def measure(requests: int):
    from django.db import connection
    from django.test import Client

    from tests.factories import make_client_staff

    client = Client()
    client.force_login(make_client_staff())
    url = "/admin/readiness/"
    assert client.get(url).status_code == 200
    queries = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        response = client.get(url)
    html = response.content.decode()
    totals = {
        name: int(re.search(rf'data-testid="{name}-total">(\d+)<', html).group(1))
        for name in ("agents", "ready")
    }
    latencies = []
    for _ in range(requests):
        started = time.perf_counter()
        response = client.get(url)
        latencies.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    return latencies, len(queries), totals


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--agents", type=int, default=2000)
    parser.add_argument("--requests", type=int, default=30)
    args = parser.parse_args()
    with benchmark_database(name="portal_bench_readiness") as connection:
        from django.conf import settings

        settings.ALLOWED_HOSTS = ["*"]
        small = args.agents // 10
        content(small)
        _, small_queries, _ = measure(1)
        content(args.agents - small)
        latencies, queries, totals = measure(args.requests)
        print(
            f"engine: {connection.vendor}; {totals['agents']} agents, {totals['ready']} ready; "
            f"queries with {small} agents: {small_queries}, with {args.agents}: {queries}"
        )
        print(
            json.dumps(
                {
                    "agents": args.agents,
                    "p50_ms": round(percentile(latencies, 50), 1),
                    "p95_ms": round(percentile(latencies, 95), 1),
                    "queries": queries,
                }
            )
        )


if __name__ == "__main__":
    main()
