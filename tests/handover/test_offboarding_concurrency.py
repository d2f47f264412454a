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


@pytest.mark.django_db(transaction=True)
def test_two_managers_deciding_a_first_off_boarding_at_once_are_served_in_turn(world):
    ensure_site_tree()
    start = threading.Barrier(THREADS)
    today = periods.today()

    def one(n):
        try:
            with system_scope("a test thread"):
                start.wait(10)
                return offboarding.schedule(
                    world.vendor_a,
                    accounts_end_on=today + timedelta(days=10 + n),
                    retention_days=30,
                    decided_by=world.client_manager,
                ).pk
        finally:
            connections["default"].close()

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        decided = list(pool.map(one, range(THREADS)))
    row = VendorOffboarding.objects.get()
    assert decided == [row.pk] * THREADS, "each saw the one row, none a unique violation"
    assert row.accounts_end_on in {today + timedelta(days=10 + n) for n in range(THREADS)}


@pytest.mark.django_db(transaction=True)
def test_an_export_requested_during_the_erasure_is_held_back_or_refused(world, monkeypatch):
    """Whichever takes the vendor's lock first: either the erasure sees the export and
    waits, or the export sees the erasure and is refused; never an export of an erased
    vendor left to run."""
    from django.test import Client

    from handover import views
    from handover.models import RecordsExport

    ensure_site_tree()
    monkeypatch.setattr(views, "_hand_to_worker", lambda export_id: None)
    row = VendorOffboarding.objects.create(
        vendor=world.vendor_a,
        accounts_end_on=periods.today() - timedelta(days=1),
        accounts_ended_at=periods.local_midnight(periods.today() - timedelta(days=1)),
        retention_days=0,
    )
    client = Client()
    client.force_login(world.client_manager)
    start = threading.Barrier(2)

    def erase():
        try:
            with system_scope("a test thread"):
                start.wait(10)
                return offboarding.erase_personal_data(row.pk)
        finally:
            connections["default"].close()

    def export():
        try:
            start.wait(10)
            return client.post("/admin/records-handover/", {"vendor": world.vendor_a.pk})
        finally:
            connections["default"].close()

    with ThreadPoolExecutor(max_workers=2) as pool:
        erased, requested = pool.submit(erase), pool.submit(export)
        erased, requested = erased.result(), requested.result()
    assert requested.status_code == 302
    exports = RecordsExport.objects.unscoped().filter(vendor=world.vendor_a)
    if erased:
        assert not exports.exists()
    else:
        assert exports.get().status == RecordsExport.Status.QUEUED
    row.refresh_from_db()
    assert row.erased == erased
