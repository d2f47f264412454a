"""Fixtures shared by every test: two vendors with teams and people in each role."""

from dataclasses import dataclass

import pytest

from tests.factories import (
    TeamFactory,
    VendorFactory,
    make_agent,
    make_client_staff,
    make_team_lead,
    make_vendor_manager,
)


@dataclass
class World:
    vendor_a: object
    vendor_b: object
    team_a1: object
    team_a2: object
    team_b1: object
    agent_a1: object
    agent_a2: object
    agent_b1: object
    lead_a1: object
    manager_a: object
    manager_b: object
    client_manager: object


@pytest.fixture
def world(db):
    vendor_a = VendorFactory(name="한결CS", code="HGCS")
    vendor_b = VendorFactory(name="온누리컨택", code="ONC")
    team_a1 = TeamFactory(vendor=vendor_a, name="서울 1팀", code="SEL1")
    team_a2 = TeamFactory(vendor=vendor_a, name="서울 2팀", code="SEL2")
    team_b1 = TeamFactory(vendor=vendor_b, name="부산 전화팀", code="BSN1")
    return World(
        vendor_a=vendor_a,
        vendor_b=vendor_b,
        team_a1=team_a1,
        team_a2=team_a2,
        team_b1=team_b1,
        agent_a1=make_agent(team_a1),
        agent_a2=make_agent(team_a2),
        agent_b1=make_agent(team_b1),
        lead_a1=make_team_lead(team_a1),
        manager_a=make_vendor_manager(vendor_a),
        manager_b=make_vendor_manager(vendor_b),
        client_manager=make_client_staff(),
    )


@pytest.fixture(autouse=True)
def _test_code_acts_as_the_system():
    """A test's own set-up and checks see every vendor. What it calls still states its
    scope: tasks and portal commands start with nobody served, requests with their user."""
    from portal.organisation.scoping import system_scope

    with system_scope("test code"):
        yield


@pytest.fixture
def english():
    """Messages matched by their English text; the portal itself defaults to Korean."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _audit_checkpoints_of_this_test_only(settings, tmp_path):
    settings.AUDIT_CHECKPOINT_DIR = tmp_path / "audit"


@pytest.fixture(autouse=True)
def _lift_append_only_guards_after_transactional_tests(request):
    """A transactional test's database is emptied afterwards: by DELETE on SQLite and by
    TRUNCATE on PostgreSQL, both of which the append-only triggers refuse. They are lifted
    first; tests that check the triggers install them themselves
    (``portal.audit.guards.install``)."""
    marker = request.node.get_closest_marker("django_db")
    transactional = "transactional_db" in request.fixturenames or bool(
        marker and marker.kwargs.get("transaction")
    )
    if not transactional:
        yield
        return
    request.getfixturevalue("transactional_db")
    yield
    from django.db import connection

    from portal.audit import guards

    for table in guards.guarded_tables():
        guards.remove(connection, table)


@pytest.fixture(autouse=True)
def _empty_broker_around_worker_tests(request):
    """A test that starts a Celery worker (marked ``worker``) finds the broker empty and
    leaves it so: what it queued and never ran reaches no later test."""
    if request.node.get_closest_marker("worker") is None:
        yield
        return
    from tests.worker import empty_broker

    empty_broker()
    yield
    empty_broker()


@pytest.fixture
def eager_celery(settings):
    """Narrow unit tests only: tasks run in-process. Delivery is proven with a real worker."""
    from portal.celery import app

    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager = False
    app.conf.task_eager_propagates = False
