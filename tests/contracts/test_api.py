"""The call-centre system's endpoint: its vendor's token, its vendor's KPIs, the import's
checks, all or nothing, and never a 500."""

import json
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse

from contracts.models import KpiActual
from portal.integrations.models import SystemToken
from portal.integrations.tokens import issue_token

pytestmark = pytest.mark.django_db

URL = "/contracts/api/actuals/"


@pytest.fixture
def token(world, contracts):
    return issue_token(world.vendor_a, "콜센터 시스템", ["kpi_actuals"])[1]


def _post(client, token, body):
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post(
        URL, data, content_type="application/json", headers={"Authorization": f"Bearer {token}"}
    )


ITEMS = [
    {"kpi": "response-rate", "period": "2026-10", "value": 91.5},
    {"kpi": "fcr", "period": "2026-W44", "value": "82.5", "note": "주간"},
]


def test_the_url_is_the_documented_one():
    assert reverse("contracts:api_actuals") == URL


def test_a_system_pushes_its_actuals_and_pushing_again_changes_nothing(client, world, token):
    first = _post(client, token, {"actuals": ITEMS})
    assert (first.status_code, first.json()) == (201, {"created": 2, "updated": 0, "unchanged": 0})
    again = _post(client, token, {"actuals": ITEMS})
    assert (again.status_code, again.json()) == (200, {"created": 0, "updated": 0, "unchanged": 2})
    actual = KpiActual.objects.get(kpi__code="fcr")
    assert (actual.value, actual.source, actual.period_start, actual.kpi.contract.vendor) == (
        Decimal("82.50"),
        "pushed",
        date(2026, 10, 26),
        world.vendor_a,
    )


def test_a_token_writes_its_own_vendor_only(client, world, token, contracts):
    # Vendor B's contract has the same KPI codes: the token reaches A's, never B's.
    _post(client, token, {"actuals": ITEMS})
    assert not KpiActual.objects.filter(kpi__contract=contracts[1]).exists()
    b_only = contracts[1].kpis.get(code="csat")
    b_only.code = "b-only"
    b_only.save()
    response = _post(
        client, token, {"actuals": [{"kpi": "b-only", "period": "2026-10", "value": 1}]}
    )
    assert response.status_code == 400
    assert "b-only" in response.json()["errors"][0]["message"]


@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer", "Bearer forged", "Basic abc", "Bearer " + "x" * 5000],
)
def test_no_valid_token_is_401(client, contracts, authorization):
    headers = {"Authorization": authorization} if authorization else {}
    response = client.post(URL, json.dumps({"actuals": ITEMS}), "application/json", headers=headers)
    assert response.status_code == 401
    assert not KpiActual.objects.exists()


def test_a_token_for_other_uses_or_revoked_is_401(client, world, contracts, capsys):
    crm = issue_token(world.vendor_a, "CRM", ["decisions"])[1]
    assert _post(client, crm, {"actuals": ITEMS}).status_code == 401
    call_command("api_token", "create", "--vendor", "HGCS", "--name", "IVR", "--use", "kpi_actuals")
    token = capsys.readouterr().out.strip().splitlines()[-1]
    assert _post(client, token, {"actuals": ITEMS}).status_code == 201
    row = SystemToken.objects.get(name="IVR")
    call_command("api_token", "revoke", str(row.pk))
    assert _post(client, token, {"actuals": ITEMS}).status_code == 401


@pytest.mark.parametrize(
    "body",
    [
        "not json",
        "[1, 2]",
        "{}",
        {"actuals": []},
        {"actuals": "all"},
        {"actuals": [1]},
        {"actuals": [{"kpi": 5, "period": "2026-10", "value": 1}]},
        {"actuals": [{"kpi": "csat", "period": "2026-10", "value": True}]},
        {"actuals": [{"kpi": "csat", "period": "2026-10", "value": [1]}]},
        {"actuals": [{"kpi": "csat", "period": "2026-10", "value": "1e999"}]},
        {"actuals": [{"kpi": "csat", "period": "2026-10", "value": "NaN"}]},
        {"actuals": [{"kpi": "csat\x00", "period": "2026-10", "value": 1}]},
        {"actuals": [{"kpi": "csat", "period": {"a": 1}, "value": 1}]},
        {"actuals": [{"kpi": "csat", "period": "2026-10", "value": 1, "note": ["x"]}]},
        {"actuals": [{"kpi": "csat", "period": "2026-10", "value": 1, "note": "x" * 501}]},
        {"actuals": [{"kpi": "response-rate", "period": "2026-10", "value": 100.01}]},
        {"actuals": [ITEMS[0], ITEMS[0]]},
        {"actuals": [ITEMS[0], {"kpi": "csat", "period": "2026-W44", "value": 4}]},
        {"actuals": [{}] * 2001},
        '{"actuals": [' + "[" * 50000 + "]" * 50000 + "]}",
        '{"actuals": [{"kpi": "csat", "period": "2026-10", "value": 1' + "0" * 5000 + "}]}",
        b"\xff\xfe\x00garbage",
    ],
    ids=lambda value: str(value)[:40],
)
def test_bad_bodies_are_400_and_write_nothing(client, token, body):
    response = _post(client, token, body)
    assert response.status_code == 400, response.content
    assert response.json()["error"]
    assert not KpiActual.objects.exists()


def test_an_item_error_names_its_position(client, token):
    body = {"actuals": [ITEMS[0], {"kpi": "csat", "period": "2026-10", "value": "좋음"}]}
    errors = _post(client, token, body).json()["errors"]
    assert errors == [{"item": 2, "message": "“좋음”은(는) 숫자가 아닙니다"}]


def test_an_oversized_body_is_413(client, token):
    body = {"actuals": [{**ITEMS[0], "note": "x" * 400}] * 1000}
    assert _post(client, token, body).status_code == 413
    assert not KpiActual.objects.exists()
