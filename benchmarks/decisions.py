"""Concurrent decisions against a real server (gunicorn) on PostgreSQL, with the
per-customer limit checked.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal \\
        .venv/bin/python benchmarks/decisions.py [--concurrency 50] [--per-client 10]

Each of ``concurrency`` agents (sessions made directly) POSTs "이 정책으로 처리함" on one
policy (up to 30,000 won, twice per customer in 30 days) ``per-client`` times, for
customers drawn from a small pool so that many decisions for one customer race each
other, and some amounts are over the limit. A Celery worker with beat seals the audit
records as in production; the server is gunicorn as ``ack_load`` runs it, warmed up
first. Afterwards every customer must have at most 2 recorded decisions and no recorded
amount may pass the limit. Prints, as its last line:
{"concurrency": 50, "rps": ..., "p95_ms": ..., "errors": ..., "limit_violations_accepted": 0}

With ``--report 100000`` it measures the report page instead, as a client manager opens
it over that many decisions: {"decisions": ..., "report_p95_ms": ..., "queries": [...]}.
"""

import argparse
import json
import os
import random
import time
from datetime import timedelta

from _django import benchmark_database, database_url
from ack_load import CSRF, percentile, run, sessions_for, start_sealer, start_server

LIMIT_KRW, TIMES = 30000, 2


def report_p95(rows: int, requests: int) -> None:
    """The report page as a client manager opens it over ``rows`` decisions (written in
    bulk, with their audit records), in-process: prints its p95 and query count."""
    with benchmark_database(name="portal_bench_decision_report"):
        from _notices import make_agents
        from django.db import connection as db
        from django.test import Client
        from django.test.utils import CaptureQueriesContext
        from django.utils import timezone

        from decisions.models import Decision
        from portal.audit.models import AuditRecord
        from tests.decisions.builders import refund_policy
        from tests.factories import make_client_staff

        agents = make_agents(200)
        policy = refund_policy(limit_amount_krw=LIMIT_KRW, limit_times_per_customer=None)
        now = timezone.now()
        for start in range(0, rows, 5000):
            size = min(5000, rows - start)
            records = AuditRecord.objects.bulk_create(
                [
                    AuditRecord(kind="decision", payload={}, created_at=now, record_hash="0" * 64)
                    for _ in range(size)
                ]
            )
            Decision.objects.bulk_create(
                [
                    Decision(
                        policy=policy,
                        policy_revision_id=policy.live_revision_id,
                        agent=agents[(start + n) % len(agents)],
                        channel="phone",
                        amount_krw=1000 * (1 + n % 30),
                        reference=f"ORD-{start + n:08d}",
                        customer_hash=f"{start + n:064x}",
                        outcome="refused" if n % 9 == 0 else "recorded",
                        refusal="over_amount" if n % 9 == 0 else "",
                        statement="bench",
                        decided_at=now - timedelta(minutes=(start + n) % (60 * 24 * 60)),
                        audit_record=record,
                    )
                    for n, record in enumerate(records)
                ]
            )
        with db.cursor() as cursor:
            cursor.execute("ANALYZE")
        client = Client()
        client.force_login(make_client_staff())
        url = "/decisions/manage/"
        client.get(url)
        timings, queries = [], set()
        for _ in range(requests):
            started = time.perf_counter()
            with CaptureQueriesContext(db) as captured:
                assert client.get(url).status_code == 200
            timings.append((time.perf_counter() - started) * 1000)
            queries.add(len(captured))
        print(
            json.dumps(
                {
                    "decisions": rows,
                    "report_p95_ms": round(percentile(timings, 95), 1),
                    "queries": sorted(queries),
                }
            )
        )


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--per-client", type=int, default=10)
    parser.add_argument("--customers", type=int, default=60, help="the pool decisions share")
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    parser.add_argument("--warm-up", type=int, default=50)
    parser.add_argument(
        "--report", type=int, metavar="ROWS", help="instead: the report page's p95 over ROWS"
    )
    args = parser.parse_args()
    if args.report:
        report_p95(args.report, requests=30)
        return
    with benchmark_database(name="portal_bench_decisions") as connection:
        from _notices import make_agents
        from django.conf import settings
        from django.db.models import Count, Q

        from decisions.models import Decision
        from tests.decisions.builders import refund_policy
        from tests.smtp import free_port

        agents = make_agents(args.concurrency + args.warm_up)
        policy = refund_policy(limit_amount_krw=LIMIT_KRW, limit_times_per_customer=TIMES)
        for agent in agents:
            agent.user = agent.user  # loaded for the session hash
        keys = sessions_for(agents)
        port = free_port()
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "portal.settings.test",
            "DATABASE_URL": database_url(connection),
            "CELERY_BROKER_URL": os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/9"),
        }
        connection.close()
        chooser = random.Random(15)
        base = f"http://127.0.0.1:{port}/decisions/policy/{policy.pk}/record/"
        cookie = f"{settings.SESSION_COOKIE_NAME}={{}}; csrftoken={CSRF}"

        def job(key, customer):
            amount = chooser.choice([3000, 10000, 20000, 30000, 30000, 45000])
            body = (
                f"csrfmiddlewaretoken={CSRF}&channel=phone&amount={amount}"
                f"&customer=010-4000-{customer:04d}&reference=ORD-{chooser.randint(1, 10**8)}"
            )
            return (base, cookie.format(key), body.encode())

        warm = [job(key, 9000 + n) for n, key in enumerate(keys[args.concurrency :])]
        # Client by client, round after round: concurrent requests share customers.
        jobs = [
            job(keys[client], chooser.randrange(args.customers))
            for _round in range(args.per_client)
            for client in range(args.concurrency)
        ]
        sealer, _sealer_log = start_sealer(env)
        server, log = start_server(env, port, args.workers, 1)
        try:
            warmed, _took = run(warm, args.concurrency)
            results, seconds = run(jobs, args.concurrency)
        finally:
            server.terminate()
            sealer.terminate()
            server.wait(30)
            sealer.wait(30)
        errors = sum(1 for status, _ms in results + warmed if status != 303)
        decisions = Decision.objects.unscoped().filter(policy=policy)
        recorded = decisions.filter(outcome="recorded")
        over_times = (
            recorded.values("customer_hash").annotate(n=Count("pk")).filter(n__gt=TIMES).count()
        )
        over_amount = recorded.filter(Q(amount_krw__gt=LIMIT_KRW)).count()
        print(
            f"  {len(results)} decisions in {seconds:.1f} s: {recorded.count()} recorded, "
            f"{decisions.filter(outcome='refused').count()} refused; server log: {log}"
        )
        print(
            json.dumps(
                {
                    "concurrency": args.concurrency,
                    "rps": round(len(results) / seconds, 1),
                    "p95_ms": round(percentile([ms for _status, ms in results], 95), 1),
                    "errors": errors,
                    "limit_violations_accepted": over_times + over_amount,
                }
            )
        )


if __name__ == "__main__":
    main()
