"""Contracts, KPIs and actuals are vendor-owned: a vendor manager sees their vendor's;
team leads and agents none; nobody unscoped."""

from datetime import date

import pytest

from contracts.models import Contract, Kpi, KpiActual
from portal.organisation.scoping import UnscopedQueryError, nobody_served

pytestmark = pytest.mark.django_db


@pytest.fixture
def actuals(contracts):
    return [
        KpiActual.objects.create(
            kpi=contract.kpis.get(code="csat"),
            period_start=date(2026, 10, 1),
            value=4,
            source="entered",
            recorded_at="2026-11-01T00:00:00Z",
        )
        for contract in contracts
    ]


@pytest.mark.parametrize("model", [Contract, Kpi, KpiActual])
def test_a_vendor_manager_sees_their_vendor_only(world, contracts, actuals, model):
    mine = model.objects.for_user(world.manager_a.user)
    vendors = {
        {Contract: lambda o: o.vendor_id, Kpi: lambda o: o.contract.vendor_id}.get(
            model, lambda o: o.kpi.contract.vendor_id
        )(row)
        for row in mine
    }
    assert vendors == {world.vendor_a.pk}


@pytest.mark.parametrize("model", [Contract, Kpi, KpiActual])
def test_agents_and_team_leads_see_no_contract(world, contracts, actuals, model):
    assert not model.objects.for_user(world.agent_a1.user).exists()
    assert not model.objects.for_user(world.lead_a1.user).exists()
    assert model.objects.for_user(world.client_manager).count() == 2 * (
        1 if model is not Kpi else 4
    )


def test_an_unscoped_query_fails_closed(contracts):
    with nobody_served(), pytest.raises(UnscopedQueryError):
        list(KpiActual.objects.all())
