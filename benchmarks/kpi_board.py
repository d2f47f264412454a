"""The KPI board as a client manager opens it: 10 vendors, each with a contract of 5 KPIs
(3 reported, 2 computed by the portal from its own records: decisions within limits and
readiness at go-live) and 36 months of data, in-process on a throw-away database.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal \\
        .venv/bin/python benchmarks/kpi_board.py [--vendors 10] [--requests 40]

Actuals, decisions (with their audit records) and readiness snapshots are written in
bulk; the board is requested with django.test.Client after a warm-up. The query count
must be the same for every request and for a single vendor: it does not grow with
vendors, KPIs or periods. Prints, as its last line:
{"vendors": 10, "p50_ms": ..., "p95_ms": ..., "queries": ...}
"""

import argparse
import json
import time
from datetime import timedelta
from decimal import Decimal

from _django import benchmark_database
from ack_load import percentile

KPIS, MONTHS, DECISIONS_A_MONTH = 5, 36, 40


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--vendors", type=int, default=10)
    parser.add_argument("--requests", type=int, default=40)
    args = parser.parse_args()
    with benchmark_database(name="portal_bench_kpi_board"):
        from _notices import make_agents
        from django.db import connection as db
        from django.test import Client
        from django.test.utils import CaptureQueriesContext
        from django.utils import timezone

        from contracts.builders import kpi, make_contract
        from contracts.models import Direction, KpiActual, Measure, Unit
        from decisions.models import Decision
        from portal.audit.models import AuditRecord
        from portal.periods import local_midnight, today
        from tests.decisions.builders import refund_policy
        from tests.factories import make_client_staff
        from training.models import ReadinessSnapshot

        agents = make_agents(20 * args.vendors, vendors=args.vendors, teams_per_vendor=2)
        by_vendor = {}
        for agent in agents:
            by_vendor.setdefault(agent.vendor_id, []).append(agent)
        months = []
        first = today().replace(day=1)
        for _ in range(MONTHS):
            first = (first - timedelta(days=1)).replace(day=1)
            months.append(first)
        months.reverse()
        policy = refund_policy(limit_amount_krw=30000, limit_times_per_customer=None)
        now = timezone.now()
        actuals, snapshots, decisions = [], [], []
        for vendor_id, people in by_vendor.items():
            vendor = people[0].vendor
            contract = make_contract(
                vendor,
                [
                    kpi("rate", "응답률"),
                    kpi("aht", "평균 처리 시간", Unit.SECONDS, Direction.LOWER, "300", "30"),
                    kpi("csat", "고객 만족도", Unit.SCORE, Direction.HIGHER, "4.5", "0.2"),
                    kpi("decisions", "권한 내 처리율", measure=Measure.DECISIONS_WITHIN_LIMITS),
                    kpi("ready", "투입 준비율", measure=Measure.READINESS_AT_GO_LIVE),
                ],
                starts_on=months[0],
            )
            reported = [row for row in contract.kpis.all() if not row.measure]
            assert len(contract.kpis.all()) == KPIS
            for n, month in enumerate(months):
                for row in reported:
                    actuals.append(
                        KpiActual(
                            kpi=row,
                            period_start=month,
                            value=row.target + Decimal((n * 7 + vendor_id) % 9 - 4),
                            source="pushed",
                            recorded_at=now,
                        )
                    )
                go_live = month + timedelta(days=6)
                snapshots.append(
                    ReadinessSnapshot(
                        day=go_live,
                        vendor=vendor,
                        team=people[0].team,
                        go_live_date=go_live,
                        agents=20,
                        ready=15 + n % 6,
                    )
                )
                for k in range(DECISIONS_A_MONTH):
                    decisions.append(
                        (
                            people[k % len(people)],
                            local_midnight(month) + timedelta(hours=10 + k % 200),
                        )
                    )
        KpiActual.objects.bulk_create(actuals, batch_size=2000)
        ReadinessSnapshot.objects.bulk_create(snapshots, batch_size=2000)
        records = AuditRecord.objects.bulk_create(
            [
                AuditRecord(kind="decision", payload={}, created_at=now, record_hash="0" * 64)
                for _ in decisions
            ],
            batch_size=2000,
        )
        Decision.objects.bulk_create(
            [
                Decision(
                    policy=policy,
                    policy_revision_id=policy.live_revision_id,
                    agent=agent,
                    channel="phone",
                    amount_krw=1000 * (1 + n % 30),
                    reference=f"ORD-{n:08d}",
                    customer_hash=f"{n:064x}",
                    outcome="refused" if n % 11 == 0 else "recorded",
                    refusal="over_amount" if n % 11 == 0 else "",
                    statement="bench",
                    decided_at=at,
                    audit_record=record,
                )
                for n, ((agent, at), record) in enumerate(zip(decisions, records, strict=True))
            ],
            batch_size=2000,
        )
        if db.vendor == "postgresql":
            with db.cursor() as cursor:
                cursor.execute("ANALYZE")
        client = Client()
        client.force_login(make_client_staff())
        url = "/contracts/board/"
        one_vendor = f"{url}?vendor={next(iter(by_vendor))}"
        for warm in (url, one_vendor):
            assert client.get(warm).status_code == 200
        with CaptureQueriesContext(db) as single:
            assert client.get(one_vendor).status_code == 200
        timings, queries = [], set()
        for _ in range(args.requests):
            started = time.perf_counter()
            with CaptureQueriesContext(db) as captured:
                response = client.get(url)
            timings.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200
            queries.add(len(captured))
        assert response.content.decode().count('data-testid="vendor-board"') == args.vendors
        assert queries == {len(single)}, (sorted(queries), len(single))
        print(
            json.dumps(
                {
                    "vendors": args.vendors,
                    "p50_ms": round(percentile(timings, 50), 1),
                    "p95_ms": round(percentile(timings, 95), 1),
                    "queries": queries.pop(),
                }
            )
        )


if __name__ == "__main__":
    main()
