"""The roster import in the Wagtail admin: for client managers, the portal's view in the
admin's template; vendor-side people have no admin at all."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse
from django.urls import reverse

from portal.organisation import views
from portal.organisation.models import AgentProfile, RosterImport
from portal.organisation.roles import Role
from tests.factories import make_client_staff

pytestmark = pytest.mark.django_db

GOOD = (
    "사번,이름,이메일,팀\n1001,김민지,minji@example.com,SEL1\n1002,이서준,seojun@example.com,SEL2\n"
)


def upload(client, vendor, text, name="roster.csv", **options):
    data = {"file": SimpleUploadedFile(name, text.encode("cp949"), "text/csv"), **options}
    return client.post(reverse("organisation_roster_import", args=[vendor.pk]), data)


def test_a_client_manager_chooses_among_all_vendors(client, world):
    client.force_login(world.client_manager)
    response = client.get(reverse("organisation_roster_import_start"))
    assert response.status_code == 200
    assert set(response.context["vendors"]) == {world.vendor_a, world.vendor_b}
    assert reverse("organisation_roster_import", args=[world.vendor_b.pk]) in response.text


def test_a_client_manager_imports_a_vendors_roster_in_the_admin(client, world):
    client.force_login(world.client_manager)
    url = reverse("organisation_roster_import", args=[world.vendor_a.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "organisation/admin/roster_import.html" in [t.name for t in page.templates]
    assert reverse("organisation_roster_template") in page.text
    response = upload(client, world.vendor_a, GOOD)
    assert response.status_code == 200
    assert response.context["report"].created == 2
    assert RosterImport.objects.unscoped().get().imported_by == world.client_manager
    assert AgentProfile.objects.unscoped().filter(employee_number="1001").exists()


def test_the_admin_menu_offers_the_import_to_client_managers(client, world):
    client.force_login(world.client_manager)
    assert reverse("organisation_roster_import_start") in client.get("/admin/").text
    client.force_login(make_client_staff(Role.CLIENT_EDITOR))
    assert reverse("organisation_roster_import_start") not in client.get("/admin/").text


def test_client_editors_cannot_import(client, world):
    client.force_login(make_client_staff(Role.CLIENT_EDITOR))
    url = reverse("organisation_roster_import", args=[world.vendor_a.pk])
    before = RosterImport.objects.unscoped().count()
    # Wagtail answers a refusal inside the admin with a redirect to its home page.
    assert client.get(url).status_code in (302, 403)
    assert upload(client, world.vendor_a, GOOD).status_code in (302, 403)
    assert RosterImport.objects.unscoped().count() == before


@pytest.mark.parametrize("who", ["manager_a", "lead_a1"])
def test_vendor_side_people_have_no_admin(client, world, who):
    client.force_login(getattr(world, who).user)
    for url in (
        "/admin/",
        reverse("organisation_roster_import_start"),
        reverse("organisation_roster_import", args=[world.vendor_a.pk]),
        reverse("wagtailsnippets_organisation_agentprofile:list"),
        "/admin/documents/",
        "/admin/pages/",
    ):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("wagtailadmin_login")), url


def test_the_admin_route_is_the_portal_view_in_the_admins_template(client, world, monkeypatch):
    calls = []

    def spy(request, vendor_id, template=None):
        calls.append((vendor_id, template))
        return HttpResponse()

    monkeypatch.setattr(views, "roster_import", spy)
    client.force_login(world.client_manager)
    client.get(reverse("organisation_roster_import", args=[world.vendor_a.pk]))
    assert calls == [(world.vendor_a.pk, "organisation/admin/roster_import.html")]
