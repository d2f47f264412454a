"""Beat's off-boarding run twice at once (a doubled beat, a slow run overtaken by the next
hour's): each step is done once (PostgreSQL; SQLite runs one writer at a time anyway)."""

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.db import connection, connections

from handover import offboarding
from handover.models import VendorOffboarding
from home.site_tree import ensure_site_tree
from portal import periods
from portal.audit import chain
from portal.organisation.models import AgentProfile
from portal.organisation.scoping import system_scope

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL (DATABASE_URL=postgres://…): SQLite has one writer at a time",
)

THREADS = 4


@pytest.mark.django_db(transaction=True)
def test_runs_at_once_end_and_erase_each_vendor_once(world, monkeypatch):
    ensure_site_tree()
    original = chain.forget
    forgotten = []

    def spy(agent_ids, *, reason):
        forgotten.append(sorted(agent_ids))
        return original(agent_ids, reason=reason)

    monkeypatch.setattr(chain, "forget", spy)
    VendorOffboarding.objects.create(
        vendor=world.vendor_a, accounts_end_on=periods.today() - timedelta(days=1), retention_days=0
    )
    start = threading.Barrier(THREADS)

    def one(_n):
        try:
            with system_scope("a test thread"):
                start.wait(10)
                return offboarding.offboard_vendors()
        finally:
            connections["default"].close()

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        runs = list(pool.map(one, range(THREADS)))
    assert sum(run["ended"] for run in runs) == 1
    assert sum(run["erased"] for run in runs) == 1
    people = AgentProfile.objects.unscoped().filter(vendor=world.vendor_a)
    assert forgotten == [sorted(people.values_list("pk", flat=True))]
    assert people.filter(employee_number__startswith="erased-").count() == people.count()
