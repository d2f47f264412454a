"""The roster upload in the Wagtail admin."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from portal.organisation.models import AgentProfile, RosterImport

pytestmark = pytest.mark.django_db

GOOD = (
    "사번,이름,이메일,팀\n1001,김민지,minji@example.com,SEL1\n1002,이서준,seojun@example.com,SEL2\n"
)
BAD = "사번,이름,이메일,팀\n1001,김민지,minji@example.com,SEL1\n1002,이서준,nope,BUSAN\n"


def upload(client, vendor, text, name="roster.csv", **options):
    data = {"file": SimpleUploadedFile(name, text.encode("cp949"), "text/csv"), **options}
    return client.post(reverse("organisation_roster_import", args=[vendor.pk]), data)


def test_a_vendor_manager_goes_straight_to_their_vendor(client, world):
    client.force_login(world.manager_a.user)
    response = client.get(reverse("organisation_roster_import_start"))
    assert response.status_code == 302
    assert response["Location"] == reverse("organisation_roster_import", args=[world.vendor_a.pk])


def test_a_client_manager_chooses_among_all_vendors(client, world):
    client.force_login(world.client_manager)
    response = client.get(reverse("organisation_roster_import_start"))
    assert response.status_code == 200
    assert set(response.context["vendors"]) == {world.vendor_a, world.vendor_b}


def test_agents_and_team_leads_cannot_import(client, world):
    for person in (world.agent_a1, world.lead_a1):
        client.force_login(person.user)
        response = client.get(reverse("organisation_roster_import", args=[world.vendor_a.pk]))
        assert response.status_code in (302, 403)


def test_upload_imports_the_roster(client, world):
    client.force_login(world.manager_a.user)
    response = upload(client, world.vendor_a, GOOD)
    assert response.status_code == 200
    assert response.context["report"].created == 2
    assert "1001" in set(
        AgentProfile.objects.unscoped()
        .filter(vendor=world.vendor_a)
        .values_list("employee_number", flat=True)
    )
    assert RosterImport.objects.unscoped().get().imported_by == world.manager_a.user


def test_a_bad_upload_lists_the_rows_and_writes_nothing(client, world):
    client.force_login(world.manager_a.user)
    before = AgentProfile.objects.unscoped().count()
    response = upload(client, world.vendor_a, BAD)
    assert response.status_code == 400
    report = response.context["report"]
    assert [(e.row, e.column) for e in report.errors] == [(3, "email"), (3, "team")]
    assert "nope" in response.text and "BUSAN" in response.text
    assert AgentProfile.objects.unscoped().count() == before
    assert not RosterImport.objects.unscoped().exists()


def test_a_vendor_manager_cannot_post_to_another_vendor(client, world):
    client.force_login(world.manager_a.user)
    before = AgentProfile.objects.unscoped().count()
    assert upload(client, world.vendor_b, GOOD.replace("SEL1", "BSN1")).status_code == 404
    assert AgentProfile.objects.unscoped().count() == before


def test_a_wrong_file_type_is_refused(client, world):
    client.force_login(world.manager_a.user)
    response = upload(client, world.vendor_a, GOOD, name="roster.pdf")
    assert response.status_code == 200
    assert response.context["form"].errors["file"]


def test_the_template_opens_in_korean_excel(client, world):
    client.force_login(world.manager_a.user)
    response = client.get(reverse("organisation_roster_template"))
    assert response.content.startswith("\ufeff사번".encode())


def test_the_roster_page_lists_recent_imports_with_fixed_queries(
    client, world, django_assert_max_num_queries
):
    client.force_login(world.manager_a.user)
    upload(client, world.vendor_a, GOOD)
    upload(client, world.vendor_a, GOOD)
    url = reverse("organisation_roster_import", args=[world.vendor_a.pk])
    client.get(url)
    with django_assert_max_num_queries(25):
        response = client.get(url)
    assert len(response.context["recent_imports"]) == 2
