"""The CRM's JSON endpoint: a vendor's token, that vendor's agents, the same checks."""

import json

import pytest
from django.core.management import call_command
from django.urls import reverse

from decisions.models import Decision
from portal.audit.models import AuditRecord
from portal.integrations.models import SystemToken
from portal.integrations.tokens import issue_token
from tests.knowledge.builders import section

from .builders import refund_policy

pytestmark = pytest.mark.django_db


@pytest.fixture
def token(world):
    return issue_token(world.vendor_a, "CRM", ["decisions"])[1]


def _post(client, token, body, **headers):
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post(
        reverse("decisions:api_record"),
        data,
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}", **headers},
    )


def _decision(policy_page, agent, **more):
    return {
        "policy": policy_page.pk,
        "employee_number": agent.employee_number,
        "channel": "chat",
        "customer": "010-1234-5678",
        "amount": 20000,
        "reference": "T-99887766",
        **more,
    }


def test_a_crm_records_and_is_refused_as_the_agent_would_be(client, world, token):
    policy = refund_policy()
    response = _post(client, token, _decision(policy, world.agent_a1))
    assert response.status_code == 201
    body = response.json()
    assert (body["outcome"], body["policy_version"], body["reference"]) == (
        "recorded",
        policy.live_revision_id,
        "••••••7766",
    )
    refused = _post(client, token, _decision(policy, world.agent_a2, amount=30001)).json()
    assert refused["outcome"] == "refused" and "cx-escalation@nuri.example" in refused["escalation"]
    assert Decision.objects.get(pk=body["id"]).agent == world.agent_a1


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ("not json", 400),
        ("[1, 2]", 400),
        ({"amount": -1}, 400),
        ({"amount": "많이"}, 400),
        ({"channel": "fax"}, 400),
        ({"note": "x" * 20000}, 400),
        ({"policy": "1"}, 404),
        ({"policy": True}, 404),
        ({"employee_number": "nobody"}, 404),
        ({"employee_number": "\x00"}, 400),
        ({"employee_number": "A" * 5000}, 404),
        ({"customer": 1012345678}, 400),  # 010… sent as a number is another customer
        ({"note": ["a list"]}, 400),
        ("[" * 20000, 400),
    ],
    ids=lambda value: str(value)[:40],
)
def test_bad_input_is_refused_with_a_reason_and_nothing_written(client, world, token, body, status):
    policy = refund_policy()
    if isinstance(body, dict):
        body = _decision(policy, world.agent_a1, **body)
    response = _post(client, token, body)
    assert response.status_code == status
    assert response.json()["error"]
    assert Decision.objects.count() == AuditRecord.objects.count() == 0


def test_a_token_reaches_its_own_vendor_only(client, world, token):
    only_b = section("온누리 전용", audience=[(world.vendor_b, None)])
    policy = refund_policy()
    assert _post(client, token, _decision(policy, world.agent_b1)).status_code == 404
    b_policy = refund_policy(only_b, title="B 보상")
    assert _post(client, token, _decision(b_policy, world.agent_a1)).status_code == 404
    # Even a bad form on another vendor's policy says nothing about it (e.g. its limit).
    bad = _post(client, token, _decision(b_policy, world.agent_a1, amount=None))
    assert bad.status_code == 404
    assert _post(client, "forged", _decision(policy, world.agent_a1)).status_code == 401
    assert not Decision.objects.exists()


def test_a_revoked_token_no_longer_works(client, world, capsys):
    call_command("decision_token", "create", "--vendor", world.vendor_a.code, "--name", "CRM")
    token = capsys.readouterr().out.strip().splitlines()[-1]
    policy = refund_policy()
    assert _post(client, token, _decision(policy, world.agent_a1)).status_code == 201
    call_command("decision_token", "revoke", str(SystemToken.objects.get().pk))
    assert _post(client, token, _decision(policy, world.agent_a1)).status_code == 401
