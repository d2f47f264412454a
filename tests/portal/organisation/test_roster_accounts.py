"""A roster changes agents only: never a team lead's, a manager's or client staff's
account, and never gives anyone an address that belongs to another account."""

import pytest
from django.utils import translation

from portal.organisation.models import AgentProfile
from portal.organisation.roster import import_roster
from portal.organisation.scoping import acting_as
from tests.factories import UserFactory, make_agent

from .test_roster_import import csv_bytes, snapshot

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """Messages are checked in English, which has every one of them."""
    with translation.override("en"):
        yield


def row(person, email=None, team="SEL1", name=None):
    return (
        f"{person.employee_number},{name or person.user.name},"
        f"{email or person.user.email},{team},,,,"
    )


def errors(report):
    return [(error.row, error.column) for error in report.errors]


def test_a_vendor_manager_updates_their_own_agents(world):
    """Updating an agent while a vendor manager is served used to raise (a 500)."""
    with acting_as(world.manager_a.user):
        report = import_roster(
            world.vendor_a,
            csv_bytes([row(world.agent_a1, team="SEL2")]),
            "r.csv",
            imported_by=world.manager_a.user,
        )
    assert report.ok, report.errors
    assert report.updated == 1
    world.agent_a1.refresh_from_db()
    assert world.agent_a1.team == world.team_a2


@pytest.mark.parametrize("who", ["lead_a1", "manager_a"])
def test_a_row_naming_a_team_lead_or_a_manager_is_refused_even_unchanged(world, who):
    person = getattr(world, who)
    before = snapshot(world.vendor_a)
    report = import_roster(world.vendor_a, csv_bytes([row(world.agent_a1), row(person)]), "r.csv")
    assert errors(report) == [(3, "employee_number")]
    assert person.employee_number in report.errors[0].message
    assert snapshot(world.vendor_a) == before


def test_a_vendor_manager_cannot_change_a_team_leads_email(world):
    lead = world.lead_a1
    with acting_as(world.manager_a.user):
        report = import_roster(
            world.vendor_a, csv_bytes([row(lead, email="manager.alias@example.com")]), "r.csv"
        )
    assert errors(report) == [(2, "employee_number")]
    lead.user.refresh_from_db()
    assert lead.user.email != "manager.alias@example.com"


def test_anyone_holding_more_than_the_agent_role_is_out_of_reach(world):
    from django.contrib.auth.models import Permission

    staff = make_agent(world.team_a1)
    staff.user.is_staff = True
    staff.user.save()
    privileged = make_agent(world.team_a1)
    privileged.user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    report = import_roster(world.vendor_a, csv_bytes([row(staff), row(privileged)]), "r.csv")
    assert errors(report) == [(2, "employee_number"), (3, "employee_number")]


def test_deactivating_the_missing_leaves_team_leads_and_managers_alone(world):
    report = import_roster(
        world.vendor_a, csv_bytes([row(world.agent_a1)]), "r.csv", deactivate_missing=True
    )
    assert report.ok and report.deactivated == 1  # agent_a2
    for person in (world.lead_a1, world.manager_a):
        person.refresh_from_db()
        assert person.status == AgentProfile.Status.ACTIVE


def test_a_new_agent_cannot_take_another_accounts_email(world):
    """Password reset sends a link for every account with the address: two people on one
    address is a way into the other's account."""
    before = snapshot(world.vendor_a)
    taken = world.client_manager.email.upper()  # password reset ignores case
    report = import_roster(world.vendor_a, csv_bytes([f"7001,새상담사,{taken},SEL1,,,,"]), "r.csv")
    assert errors(report) == [(2, "email")]
    assert "belongs to another account" in report.errors[0].message
    assert snapshot(world.vendor_a) == before


@pytest.mark.parametrize("owner", ["lead_a1", "manager_b", "agent_a2"])
def test_an_agent_cannot_be_given_another_accounts_email(world, owner):
    email = getattr(world, owner).user.email
    report = import_roster(world.vendor_a, csv_bytes([row(world.agent_a1, email=email)]), "r.csv")
    assert errors(report) == [(2, "email")]
    world.agent_a1.user.refresh_from_db()
    assert world.agent_a1.user.email != email


def test_the_same_email_twice_in_a_file_is_refused(world):
    rows = ["7001,가나다,same@example.com,SEL1,,,,", "7002,라마바,Same@example.com,SEL2,,,,"]
    report = import_roster(world.vendor_a, csv_bytes(rows), "r.csv")
    assert errors(report) == [(3, "email")]
    assert "first on row 2" in report.errors[0].message


def test_agents_may_swap_addresses_in_one_file(world):
    a1, a2 = world.agent_a1, world.agent_a2
    rows = [row(a1, email=a2.user.email), row(a2, email=a1.user.email, team="SEL2")]
    report = import_roster(world.vendor_a, csv_bytes(rows), "r.csv")
    assert report.ok and report.updated == 2, report.errors


def test_an_unchanged_address_is_not_looked_up(world):
    # Two old accounts already share an address; re-importing one of them changes nothing.
    UserFactory(email=world.agent_a1.user.email)
    report = import_roster(world.vendor_a, csv_bytes([row(world.agent_a1)]), "r.csv")
    assert report.ok and report.unchanged == 1, report.errors


def test_a_new_agents_account_name_of_client_staff_is_refused(world):
    UserFactory(username="hgcs-7001", roles=["Client managers"])
    report = import_roster(world.vendor_a, csv_bytes(["7001,새상담사,n@example.com,SEL1,,,,"]))
    assert errors(report) == [(2, "employee_number")]
