"""The roster import in the portal, beside the agent list: a vendor manager's own vendor
only, refused to agents and team leads, and never a 500 whatever the file."""

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from portal.organisation.models import AgentProfile, RosterImport

from .test_roster_import import snapshot

pytestmark = pytest.mark.django_db

HEADER = "사번,이름,이메일,팀\n"
GOOD = HEADER + "1001,김민지,minji@example.com,SEL1\n1002,이서준,seojun@example.com,SEL2\n"
BAD = HEADER + "1001,김민지,minji@example.com,SEL1\n1002,이서준,nope,BUSAN\n"


def import_url(vendor):
    return reverse("organisation:roster_import", args=[vendor.pk])


def upload(client, vendor, data, name="roster.csv", **options):
    if isinstance(data, str):
        data = data.encode("cp949")
    return client.post(
        import_url(vendor), {"file": SimpleUploadedFile(name, data, "text/csv"), **options}
    )


def test_the_agent_list_offers_the_import_to_those_allowed(client, world):
    start = reverse("organisation:roster_import_start")
    client.force_login(world.manager_a.user)
    assert start in client.get(reverse("organisation:agent_list")).text
    client.force_login(world.lead_a1.user)
    assert start not in client.get(reverse("organisation:agent_list")).text


def test_a_vendor_manager_goes_straight_to_their_vendor(client, world):
    client.force_login(world.manager_a.user)
    response = client.get(reverse("organisation:roster_import_start"))
    assert response.status_code == 302
    assert response["Location"] == import_url(world.vendor_a)


def test_client_staff_choose_among_all_vendors(client, world):
    client.force_login(world.client_manager)
    response = client.get(reverse("organisation:roster_import_start"))
    assert response.status_code == 200
    assert set(response.context["vendors"]) == {world.vendor_a, world.vendor_b}
    assert import_url(world.vendor_b) in response.text


def test_a_vendor_manager_imports_their_roster_in_the_portal(client, world):
    client.force_login(world.manager_a.user)
    page = client.get(import_url(world.vendor_a))
    assert page.status_code == 200
    assert "organisation/roster_import.html" in [t.name for t in page.templates]
    response = upload(client, world.vendor_a, GOOD)
    assert response.status_code == 200
    assert response.context["report"].created == 2
    assert 'data-testid="roster-report"' in response.text
    assert RosterImport.objects.unscoped().get().imported_by == world.manager_a.user


def test_a_vendor_manager_updates_their_own_agents(client, world):
    client.force_login(world.manager_a.user)
    agent = world.agent_a1
    moved = f"{HEADER}{agent.employee_number},{agent.user.name},{agent.user.email},SEL2\n"
    response = upload(client, world.vendor_a, moved)
    assert response.status_code == 200, response.context["report"].errors
    assert response.context["report"].updated == 1
    agent.refresh_from_db()
    assert agent.team == world.team_a2


def test_a_vendor_manager_cannot_change_a_team_leads_email(client, world):
    client.force_login(world.manager_a.user)
    lead = world.lead_a1
    takeover = f"{HEADER}{lead.employee_number},{lead.user.name},me@example.com,SEL1\n"
    before = snapshot(world.vendor_a)
    response = upload(client, world.vendor_a, takeover)
    assert response.status_code == 400
    assert [(e.row, e.column) for e in response.context["report"].errors] == [
        (2, "employee_number")
    ]
    assert snapshot(world.vendor_a) == before


def test_a_bad_upload_lists_the_rows_and_writes_nothing(client, world):
    client.force_login(world.manager_a.user)
    before = snapshot(world.vendor_a)
    response = upload(client, world.vendor_a, BAD)
    assert response.status_code == 400
    report = response.context["report"]
    assert [(e.row, e.column) for e in report.errors] == [(3, "email"), (3, "team")]
    assert "nope" in response.text and "BUSAN" in response.text
    assert snapshot(world.vendor_a) == before


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (HEADER.encode() + b"1001,\x00\x00,minji@example.com,SEL1\n", "nul.csv"),
        (b"\xef\xbb\xbf" + HEADER.encode() + b"1001,\xff\xfe,a@example.com,SEL1\n", "bom.csv"),
        (b"PK\x03\x04" + b"\x00" * 64, "broken.xlsx"),
    ],
    ids=["nul", "bad-utf8", "broken-xlsx"],
)
def test_unreadable_bytes_get_a_message_not_a_500(client, world, data, name):
    client.force_login(world.manager_a.user)
    before = snapshot(world.vendor_a)
    response = upload(client, world.vendor_a, data, name)
    assert response.status_code == 400
    assert 'data-testid="roster-errors"' in response.text
    assert snapshot(world.vendor_a) == before


def test_a_wrong_file_type_is_refused(client, world):
    client.force_login(world.manager_a.user)
    response = upload(client, world.vendor_a, GOOD, name="roster.pdf")
    assert response.status_code == 200
    assert response.context["form"].errors["file"]
    assert not RosterImport.objects.unscoped().exists()


def test_another_vendors_import_page_is_404(client, world):
    client.force_login(world.manager_a.user)
    before = AgentProfile.objects.unscoped().count()
    assert client.get(import_url(world.vendor_b)).status_code == 404
    assert upload(client, world.vendor_b, GOOD.replace("SEL1", "BSN1")).status_code == 404
    assert AgentProfile.objects.unscoped().count() == before


@pytest.mark.parametrize("who", ["agent_a1", "lead_a1"])
def test_agents_and_team_leads_are_refused(client, world, who):
    client.force_login(getattr(world, who).user)
    for url in (
        reverse("organisation:roster_import_start"),
        reverse("organisation:roster_template"),
        import_url(world.vendor_a),
    ):
        assert client.get(url).status_code == 403, url
    assert upload(client, world.vendor_a, GOOD).status_code == 403


def test_signed_out_visitors_are_sent_to_sign_in(client, world):
    for url in (
        reverse("organisation:roster_import_start"),
        reverse("organisation:roster_template"),
        import_url(world.vendor_a),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse(settings.LOGIN_URL))


def test_the_template_opens_in_korean_excel(client, world):
    client.force_login(world.manager_a.user)
    response = client.get(reverse("organisation:roster_template"))
    assert b"".join(response.streaming_content).startswith("\ufeff사번".encode())


def test_the_roster_page_lists_recent_imports_with_fixed_queries(
    client, world, django_assert_num_queries
):
    client.force_login(world.manager_a.user)
    url = import_url(world.vendor_a)
    upload(client, world.vendor_a, GOOD)
    client.get(url)  # warm up: session (saved at most once a minute), content types
    # Session, user, scope (groups, profile), permissions (2), vendor, teams, recent
    # imports and the template chrome: however many imports there are.
    with django_assert_num_queries(10):
        response = client.get(url)
    assert len(response.context["recent_imports"]) == 1
    for _ in range(6):
        upload(client, world.vendor_a, GOOD)
    with django_assert_num_queries(10):
        response = client.get(url)
    assert len(response.context["recent_imports"]) == 5
