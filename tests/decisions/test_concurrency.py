"""Concurrent decisions for one customer that together exceed the policy's times: exactly
the allowed number are recorded (PostgreSQL; SQLite runs one writer at a time anyway)."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections

from decisions.models import Decision
from home.site_tree import ensure_site_tree
from portal.organisation.scoping import system_scope

from .builders import decide, refund_policy

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL (DATABASE_URL=postgres://…): SQLite has one writer at a time",
)

THREADS = 8


@pytest.mark.django_db(transaction=True)
def test_concurrent_decisions_for_one_customer_record_exactly_the_allowed_number(world):
    ensure_site_tree()  # a transactional test before this one flushed the tree
    policy = refund_policy(limit_times_per_customer=2)
    agents = [world.agent_a1, world.agent_a2, world.agent_b1, world.lead_a1]
    start = threading.Barrier(THREADS)

    def one(n):
        try:
            with system_scope("a test thread"):
                start.wait(10)
                return decide(policy, agents[n % len(agents)], customer="010-5555-0000").outcome
        finally:
            connections["default"].close()

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        outcomes = list(pool.map(one, range(THREADS)))
    assert sorted(outcomes) == ["recorded"] * 2 + ["refused"] * (THREADS - 2)
    assert Decision.objects.filter(outcome="recorded").count() == 2
