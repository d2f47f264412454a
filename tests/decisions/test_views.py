"""The decision form on a policy page, its confirmation, and an agent's own decisions."""

import pytest
from django.urls import reverse

from decisions.models import Decision
from knowledge.models import AuthorityLevel
from portal.audit.models import AuditRecord

from .builders import decide, refund_policy

pytestmark = pytest.mark.django_db

FORM = {
    "channel": "chat",
    "amount": "30,000원",
    "customer": "010-1234-5678",
    "reference": "ORD-77881234",
}


def test_an_agent_records_a_decision_from_the_policy_page(client, world):
    policy = refund_policy()
    client.force_login(world.agent_a1.user)
    page = client.get(policy.url).content.decode()
    assert 'data-testid="decision-form"' in page
    response = client.post(reverse("decisions:record", args=[policy.pk]), FORM, follow=True)
    decision = Decision.objects.get()
    assert response.redirect_chain == [(reverse("decisions:decision", args=[decision.pk]), 303)]
    body = response.content.decode()
    assert 'data-testid="decision-recorded"' in body
    assert "ORD-77881234" not in body and "1234" in body
    assert (decision.amount_krw, decision.channel, decision.agent) == (
        30000,
        "chat",
        world.agent_a1,
    )


def test_a_refusal_shows_the_escalation_route_and_contact(client, world):
    policy = refund_policy()
    client.force_login(world.agent_a1.user)
    url = reverse("decisions:record", args=[policy.pk])
    response = client.post(url, {**FORM, "amount": "50000"}, follow=True)
    body = response.content.decode()
    assert 'data-testid="decision-refused"' in body
    assert "팀장 승인 후 고객사 CX팀으로 이관" in body and "cx-escalation@nuri.example" in body
    assert Decision.objects.get().outcome == "refused"


@pytest.mark.parametrize(
    "change",
    [
        {"amount": "-3000"},
        {"amount": "삼만원"},
        {"amount": "1e9"},
        {"amount": "99999999999999999999"},
        {"channel": "fax"},
        {"customer": ""},
        {"note": "가" * 20000},
    ],
    ids=lambda change: next(iter(change)),
)
def test_bad_input_gets_a_message_and_changes_nothing(client, world, change):
    policy = refund_policy()
    client.force_login(world.agent_a1.user)
    url = reverse("decisions:record", args=[policy.pk])
    response = client.post(url, {**FORM, **change}, follow=True)
    assert response.redirect_chain == [(policy.url + "#decide", 303)]
    assert list(response.context["messages"])
    assert Decision.objects.count() == AuditRecord.objects.count() == 0


def test_no_form_and_no_decision_where_agents_may_not_decide(client, world):
    policy = refund_policy(authority=AuthorityLevel.TEAM_LEAD)
    client.force_login(world.agent_a1.user)
    assert 'data-testid="decision-form"' not in client.get(policy.url).content.decode()
    response = client.post(reverse("decisions:record", args=[policy.pk]), FORM)
    assert response.status_code == 303
    assert not Decision.objects.exists()


def test_client_staff_see_no_form_and_cannot_record(client, world):
    policy = refund_policy()
    client.force_login(world.client_manager)
    assert 'data-testid="decision-form"' not in client.get(policy.url).content.decode()
    assert client.post(reverse("decisions:record", args=[policy.pk]), FORM).status_code == 404


def test_a_decision_is_shown_only_to_its_agent(client, world):
    decision = decide(refund_policy(), world.agent_a1)
    url = reverse("decisions:decision", args=[decision.pk])
    for user in (world.agent_a2.user, world.lead_a1.user, world.manager_b.user):
        client.force_login(user)
        assert client.get(url).status_code == 404
    client.force_login(world.agent_a1.user)
    assert client.get(url).status_code == 200


def test_my_decisions_lists_my_own_in_a_fixed_number_of_queries(
    client, world, django_assert_max_num_queries
):
    policy = refund_policy()
    decide(policy, world.agent_a2, reference="OTHER-AGENT-REF")
    client.force_login(world.agent_a1.user)
    url = reverse("decisions:mine")
    client.get(url)  # warm-up: the session and the user's first reads
    counts = []
    for n in (1, 6):
        while Decision.objects.filter(agent=world.agent_a1).count() < n:
            decide(policy, world.agent_a1, customer=f"c{n}-{Decision.objects.count()}")
        with django_assert_max_num_queries(50) as queries:
            response = client.get(url)
        counts.append(len(queries))
        assert len(response.context["page"]) == n
    assert counts[0] == counts[1]
    assert "OTHER-AGENT-REF"[-4:] not in response.content.decode()


def test_a_decision_is_always_the_signed_in_agents_own_and_its_note_is_text(client, world):
    policy = refund_policy()
    client.force_login(world.agent_a1.user)
    url = reverse("decisions:record", args=[policy.pk])
    note = "<script>alert(1)</script>"
    response = client.post(url, {**FORM, "agent": world.agent_a2.pk, "note": note}, follow=True)
    assert Decision.objects.get().agent == world.agent_a1
    body = response.content.decode()
    assert note not in body and "&lt;script&gt;alert(1)&lt;/script&gt;" in body
