"""The vendor-side agent pages: each viewer sees only their own vendor or team."""

import pytest
from django.urls import reverse

from tests.factories import UserFactory, make_agent

pytestmark = pytest.mark.django_db


def names(response):
    return {agent.user.name for agent in response.context["page"]}


def test_a_vendor_manager_sees_their_vendors_agents_only(client, world):
    client.force_login(world.manager_a.user)
    response = client.get(reverse("organisation:agent_list"))
    assert response.status_code == 200
    assert names(response) == {
        world.agent_a1.user.name,
        world.agent_a2.user.name,
        world.lead_a1.user.name,
        world.manager_a.user.name,
    }


def test_a_team_lead_sees_their_team_only(client, world):
    client.force_login(world.lead_a1.user)
    response = client.get(reverse("organisation:agent_list"))
    assert names(response) == {world.agent_a1.user.name, world.lead_a1.user.name}


def test_agents_and_strangers_may_not_list_agents(client, world):
    client.force_login(world.agent_a1.user)
    assert client.get(reverse("organisation:agent_list")).status_code == 403
    client.force_login(UserFactory())
    assert client.get(reverse("organisation:agent_list")).status_code == 403


@pytest.mark.parametrize(
    "url",
    [
        lambda w: reverse("organisation:agent_detail", args=[w.agent_b1.pk]),
        lambda w: reverse("organisation:agent_detail", args=[w.manager_b.pk]),
        lambda w: reverse("organisation:agent_list") + f"?team={w.team_b1.pk}",
        lambda w: reverse("organisation:roster_import", args=[w.vendor_b.pk]),
    ],
)
def test_a_vendor_manager_gets_404_for_another_vendors_ids(client, world, url):
    client.force_login(world.manager_a.user)
    assert client.get(url(world)).status_code == 404


def test_a_team_lead_gets_404_for_another_teams_agent(client, world):
    client.force_login(world.lead_a1.user)
    assert (
        client.get(reverse("organisation:agent_detail", args=[world.agent_a2.pk])).status_code
        == 404
    )
    assert (
        client.get(reverse("organisation:agent_detail", args=[world.agent_a1.pk])).status_code
        == 200
    )


def test_client_staff_see_every_vendor(client, world):
    client.force_login(world.client_manager)
    response = client.get(reverse("organisation:agent_list"))
    assert world.agent_b1.user.name in names(response)
    assert response.context["show_vendor"]


def test_filters(client, world):
    make_agent(world.team_a1, channels=["chat"], user=UserFactory(name="채팅상담사"))
    client.force_login(world.manager_a.user)
    url = reverse("organisation:agent_list")
    assert names(client.get(url, {"channel": "chat"})) == {"채팅상담사"}
    assert names(client.get(url, {"q": "채팅"})) == {"채팅상담사"}
    assert names(client.get(url, {"team": world.team_a2.pk})) == {world.agent_a2.user.name}
    world.agent_a2.status = "left"
    world.agent_a2.save()
    assert world.agent_a2.user.name not in names(client.get(url))
    assert names(client.get(url, {"status": "left"})) == {world.agent_a2.user.name}


def test_the_agent_list_uses_a_fixed_number_of_queries(client, world, django_assert_num_queries):
    client.force_login(world.manager_a.user)
    url = reverse("organisation:agent_list")
    client.get(url)  # warm up: session (saved at most once a minute), content types
    for _ in range(20):
        make_agent(world.team_a1, channels=["phone", "chat"])
    # Session, user, scope (groups, profile), teams, channels, count, permissions (2, for
    # the roster import link), agents, their channels, and 2 more for the template
    # chrome: however many agents there are.
    with django_assert_num_queries(12):
        response = client.get(url)
    assert len(response.context["page"]) == 24
