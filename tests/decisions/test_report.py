"""The decision report: each manager's scope, filters, totals, chart, export; the same
view in the admin for client staff; a query count that does not grow with the rows."""

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from .builders import decide, refund_policy

pytestmark = pytest.mark.django_db


@pytest.fixture
def decided(world):
    policy = refund_policy()
    decide(policy, world.agent_a1, amount=10000, reference="ORD-11112222", note="=HYPERLINK(1)")
    decide(policy, world.agent_a2, amount=20000, customer="010-2")
    decide(policy, world.agent_a1, amount=50000, customer="010-3")  # refused
    decide(policy, world.agent_b1, amount=5000, customer="010-4", note="온누리 건")
    return policy


def _totals(response):
    totals = response.context["totals"]
    return (totals.decisions, totals.recorded, totals.refused, totals.amount_krw)


def test_each_manager_sees_their_scope(client, world, decided):
    url = reverse("decisions:report")
    client.force_login(world.manager_a.user)
    assert _totals(client.get(url)) == (3, 2, 1, 30000)
    client.force_login(world.lead_a1.user)
    assert _totals(client.get(url)) == (2, 1, 1, 10000)
    client.force_login(world.manager_b.user)
    response = client.get(url)
    assert _totals(response) == (1, 1, 0, 5000)
    assert "ORD-11112222" not in response.content.decode()
    client.force_login(world.agent_a1.user)
    assert client.get(url).status_code == 403


def test_filters_narrow_and_a_foreign_id_is_not_found(client, world, decided):
    client.force_login(world.manager_a.user)
    url = reverse("decisions:report")
    assert _totals(client.get(url, {"outcome": "refused"})) == (1, 0, 1, 0)
    assert _totals(client.get(url, {"team": world.team_a2.pk})) == (1, 1, 0, 20000)
    assert _totals(client.get(url, {"policy": decided.pk})) == (3, 2, 1, 30000)
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    assert _totals(client.get(url, {"since": tomorrow})) == (0, 0, 0, 0)
    assert client.get(url, {"vendor": world.vendor_b.pk}).status_code == 404
    other = refund_policy(title="B만 쓴 정책")
    decide(other, world.agent_b1)
    assert client.get(url, {"policy": other.pk}).status_code == 404


def test_the_export_masks_references_and_keeps_formulas_inert(client, world, decided):
    client.force_login(world.manager_a.user)
    response = client.get(reverse("decisions:report_export", args=["csv"]))
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert len(rows) == 4
    assert "ORD-11112222" not in text and "2222" in text
    assert "'=HYPERLINK(1)" in text
    xlsx = client.get(reverse("decisions:report_export", args=["xlsx"]))
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    cells = [cell for row in sheet.iter_rows() for cell in row if cell.value == "=HYPERLINK(1)"]
    assert cells and all(cell.data_type == "s" and cell.quotePrefix for cell in cells)


def test_client_staff_follow_every_vendor_in_the_admin(client, world, decided):
    client.force_login(world.client_manager)
    response = client.get(reverse("decisions_admin_report"))
    assert response.status_code == 200
    assert _totals(response) == (4, 3, 1, 35000)
    assert response.context["chart"] is not None
    client.force_login(world.manager_a.user)
    assert client.get(reverse("decisions_admin_report")).status_code in (302, 403)


def test_the_report_takes_the_same_queries_for_few_rows_or_many(
    client, world, django_assert_max_num_queries
):
    policy = refund_policy(limit_times_per_customer=None)
    client.force_login(world.manager_a.user)
    url = reverse("decisions:report")
    client.get(url)  # warm-up: the session and the user's first reads
    counts = []
    for extra in (1, 12):
        for n in range(extra):
            decide(policy, (world.agent_a1, world.agent_a2)[n % 2], customer=f"{extra}-{n}")
        with django_assert_max_num_queries(60) as queries:
            client.get(url)
        counts.append(len(queries))
    assert counts[0] == counts[1]
