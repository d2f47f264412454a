import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from wagtail.models import GroupPagePermission

from portal.organisation.roles import ROLE_PERMISSIONS, Role, ensure_roles
from tests.factories import make_client_staff

pytestmark = pytest.mark.django_db


def test_every_role_is_a_group_with_exactly_its_permissions():
    ensure_roles()  # idempotent
    for role, names in ROLE_PERMISSIONS.items():
        group = Group.objects.get(name=role.value)
        held = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}
        assert held == set(names), role


def test_client_roles_hold_page_permissions_on_the_site():
    def codenames(role):
        return set(
            GroupPagePermission.objects.filter(group__name=role.value).values_list(
                "permission__codename", flat=True
            )
        )

    assert codenames(Role.CLIENT_EDITOR) == {"add_page", "change_page"}
    assert "publish_page" in codenames(Role.CLIENT_PUBLISHER)
    assert codenames(Role.AGENT) == set()


def test_the_admin_speaks_korean(client):
    client.force_login(make_client_staff(Role.CLIENT_EDITOR))
    response = client.get(reverse("wagtailadmin_home"))
    assert response.status_code == 200
    assert 'lang="ko"' in response.text


def test_vendor_managers_import_rosters_in_the_portal_and_have_no_admin(client, world):
    client.force_login(world.manager_a.user)
    assert world.manager_a.user.has_perm("organisation.import_roster")
    assert not world.manager_a.user.has_perm("wagtailadmin.access_admin")
    response = client.get(reverse("wagtailadmin_home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("wagtailadmin_login"))
    assert client.get(reverse("wagtailsnippets_organisation_agentprofile:list")).status_code in (
        302,
        403,
    )


def test_client_managers_manage_vendors_and_agents(client, world):
    client.force_login(world.client_manager)
    response = client.get(reverse("wagtailsnippets_organisation_agentprofile:list"))
    assert response.status_code == 200
    assert world.agent_b1.employee_number in response.text


def test_agents_cannot_enter_the_admin(client, world):
    client.force_login(world.agent_a1.user)
    response = client.get(reverse("wagtailadmin_home"))
    assert response.status_code == 302


def test_a_client_manager_adds_a_vendor_with_its_teams(client, world):
    client.force_login(world.client_manager)
    url = reverse("wagtailsnippets_organisation_vendor:add")
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "client": world.vendor_a.client_id,
            "name": "새 협력사",
            "code": "NEW",
            "is_active": "on",
            "teams-TOTAL_FORMS": "1",
            "teams-INITIAL_FORMS": "0",
            "teams-MIN_NUM_FORMS": "0",
            "teams-MAX_NUM_FORMS": "1000",
            "teams-0-name": "대전 채팅팀",
            "teams-0-code": "DJ1",
            "teams-0-site": "대전",
            "teams-0-ORDER": "1",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    from portal.organisation.models import Vendor

    vendor = Vendor.objects.get(code="NEW")
    assert list(vendor.teams.values_list("code", flat=True)) == ["DJ1"]
