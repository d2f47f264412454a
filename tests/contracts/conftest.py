"""Fixtures of contract tests: a contract of each vendor."""

from datetime import date

import pytest

from contracts.builders import make_contract


@pytest.fixture
def contracts(world):
    """Vendor A's and vendor B's contracts, both in force since 2026-01-01, each with the
    standard KPIs: response-rate, handling-time, csat (monthly) and fcr (weekly)."""
    return (
        make_contract(world.vendor_a, starts_on=date(2026, 1, 1)),
        make_contract(world.vendor_b, starts_on=date(2026, 1, 1)),
    )
