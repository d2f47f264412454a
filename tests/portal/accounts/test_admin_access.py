"""The Wagtail admin is the client's: vendor-side people never get in, whatever else they hold."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from portal.organisation.models import AgentProfile
from portal.organisation.roles import Role
from tests.factories import make_agent, make_client_staff

pytestmark = pytest.mark.django_db


def dashboard_for(client, user):
    client.force_login(user)
    return client.get(reverse("wagtailadmin_home"))


def test_client_staff_get_the_admin(client, world):
    assert dashboard_for(client, world.client_manager).status_code == 200


def test_a_vendor_side_person_who_also_is_a_client_manager_gets_no_admin(client, world):
    user = world.agent_a1.user
    user.groups.add(Group.objects.get(name=Role.CLIENT_MANAGER.value))

    response = dashboard_for(client, user)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("wagtailadmin_login"))
    assert not user.has_perm("wagtailadmin.access_admin")
    assert not user.has_perm("wagtailimages.add_image")
    assert not user.has_module_perms("wagtailadmin")
    # Permissions of the portal itself are not the admin's to veto.
    assert user.has_perm("organisation.view_vendor")


def test_a_vendor_manager_gets_no_admin(client, world):
    assert dashboard_for(client, world.manager_a.user).status_code == 302


def test_a_vendor_side_superuser_gets_no_admin_either(client, world):
    user = world.lead_a1.user
    user.is_superuser = True
    user.save()
    assert dashboard_for(client, user).status_code == 302


def test_someone_who_has_left_a_vendor_stays_out(client, world):
    profile = world.agent_b1
    profile.status = AgentProfile.Status.LEFT
    profile.save()
    profile.user.groups.add(Group.objects.get(name=Role.CLIENT_EDITOR.value))
    assert dashboard_for(client, profile.user).status_code == 302


def test_the_portal_shows_no_admin_link_to_vendor_side_people(client, world):
    agent = make_agent(world.team_a1)
    agent.user.groups.add(Group.objects.get(name=Role.CLIENT_PUBLISHER.value))
    client.force_login(agent.user)
    assert reverse("wagtailadmin_home") not in client.get("/").text

    client.force_login(make_client_staff(role=Role.CLIENT_PUBLISHER))
    assert reverse("wagtailadmin_home") in client.get("/").text
