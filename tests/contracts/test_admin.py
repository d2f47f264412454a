"""Client staff keep contracts, enter and import actuals in the admin; vendor-side people
cannot; listings take a fixed number of queries. Pages answer in Korean, the default."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from wagtail.test.utils.form_data import inline_formset, nested_form_data

from contracts.models import Contract, Kpi, KpiActual
from contracts.recording import Line, record_actuals
from portal.organisation.roles import Role
from tests.factories import make_client_staff

pytestmark = pytest.mark.django_db

ADD = "wagtailsnippets_contracts_contract:add"
LIST = "wagtailsnippets_contracts_contract:list"
ACTUALS = "wagtailsnippets_contracts_kpiactual:list"


def _kpi(code, active=True, **more):
    row = {
        "code": code,
        "name": f"지표 {code}",
        "definition": "정의",
        "unit": "percent",
        "direction": "higher",
        "target": "90",
        "tolerance": "2",
        "period": "month",
        "measure": "",
        **more,
    }
    if active:
        row["active"] = "on"
    return row


def _contract_form(world, kpis, initial=0):
    return nested_form_data(
        {
            "vendor": world.vendor_a.pk,
            "name": "2027 위탁 계약",
            "starts_on": "2027-01-01",
            "ends_on": "",
            "pilot_ends_on": "2027-03-31",
            "review_cadence": "monthly",
            "kpis": inline_formset(kpis, initial=initial),
        }
    )


@pytest.mark.parametrize(
    ("active", "inactive", "saved"), [(2, 2, False), (3, 2, True), (5, 0, True), (6, 0, False)]
)
def test_the_admin_form_keeps_three_to_five_active_kpis(
    client, world, active, inactive, saved, english
):
    client.force_login(world.client_manager)
    kpis = [_kpi(f"k{n}") for n in range(active)] + [
        _kpi(f"off{n}", active=False) for n in range(inactive)
    ]
    response = client.post(reverse(ADD), _contract_form(world, kpis))
    assert Contract.objects.exists() == saved
    if saved:
        assert response.status_code == 302
        assert Kpi.objects.count() == active + inactive
    else:
        assert "3~5개" in response.content.decode()


def test_a_kpi_with_actuals_is_not_deleted_nor_moved_to_another_period(
    client, world, contracts, english
):
    contract = contracts[0]
    csat = contract.kpis.get(code="csat")
    record_actuals([Line(1, csat, "2026-10", "4.5")], source="entered", vendor=world.vendor_a)
    client.force_login(world.client_manager)
    edit = reverse("wagtailsnippets_contracts_contract:edit", args=[contract.pk])
    rows = [
        {
            "id": kpi.pk,
            **_kpi(kpi.code, unit=kpi.unit, period=kpi.period),
            **({"DELETE": "on"} if kpi.code == "csat" else {}),
        }
        for kpi in contract.kpis.order_by("sort_order")
    ]
    data = _contract_form(world, rows, initial=4) | {"starts_on": "2026-01-01", "pilot_ends_on": ""}
    response = client.post(edit, data)
    assert "비활성으로 바꿔 주세요" in response.content.decode()
    assert Kpi.objects.filter(pk=csat.pk).exists()
    rows = [{**row, "period": "week"} if row["code"] == "csat" else row for row in rows]
    rows = [{k: v for k, v in row.items() if k != "DELETE"} for row in rows]
    data = _contract_form(world, rows, initial=4) | {"starts_on": "2026-01-01", "pilot_ends_on": ""}
    response = client.post(edit, data)
    assert response.status_code == 200
    assert "이미 실적이 있습니다" in response.content.decode()
    # A form that leaves the KPIs out (as if new) would delete them: refused too.
    rows = [{k: v for k, v in row.items() if k != "id"} for row in rows]
    response = client.post(edit, _contract_form(world, rows) | {"starts_on": "2026-01-01"})
    assert response.status_code == 200
    assert Kpi.objects.filter(pk=csat.pk, period="month").exists()
    assert Kpi.objects.get(pk=csat.pk).period == "month"


def test_client_staff_enter_a_periods_actuals(client, world, contracts, english):
    contract = contracts[0]
    url = reverse("contracts_enter_actuals", args=[contract.pk])
    client.force_login(world.client_manager)
    page = client.get(url + "?period=2026-10")
    assert page.status_code == 200
    monthly = {kpi.code: kpi for kpi in contract.kpis.filter(period="month")}
    assert [row[0].code for row in page.context["rows"]] == list(monthly)
    fields = {f"value_{monthly['response-rate'].pk}": "92", f"value_{monthly['csat'].pk}": "많이"}
    refused = client.post(url + "?period=2026-10", fields)
    assert refused.status_code == 400
    assert "숫자가 아닙니다" in refused.content.decode()
    assert not KpiActual.objects.exists()
    fields[f"value_{monthly['csat'].pk}"] = "4.4"
    assert client.post(url + "?period=2026-10", fields).status_code == 302
    assert sorted(KpiActual.objects.values_list("kpi__code", "source", "recorded_by")) == [
        ("csat", "entered", world.client_manager.pk),
        ("response-rate", "entered", world.client_manager.pk),
    ]
    weekly = client.get(url + "?period=2026-W44")
    assert [row[0].code for row in weekly.context["rows"]] == ["fcr"]
    assert client.get(url + "?period=whenever").status_code == 200


def test_client_staff_import_a_file_and_see_every_bad_row(client, world, contracts, english):
    client.force_login(world.client_manager)
    url = reverse("contracts_import")
    assert client.get(url).status_code == 200
    bad = "협력사,지표,기간,실적\nHGCS,csat,2026-10,많이\nHGCS,csat,2026-W40,4\n".encode("cp949")
    response = client.post(url, {"file": SimpleUploadedFile("a.csv", bad)})
    assert response.status_code == 400
    assert [error.row for error in response.context["outcome"].errors] == [2, 3]
    assert not KpiActual.objects.exists()
    good = "협력사,지표,기간,실적\nHGCS,csat,2026-10,4.4\n".encode("cp949")
    response = client.post(url, {"file": SimpleUploadedFile("a.csv", good)})
    assert "신규 1" in response.content.decode()


def test_an_editor_without_the_right_to_record_is_refused(client, world, contracts):
    from portal.organisation.roles import Role

    client.force_login(make_client_staff(role=Role.CLIENT_EDITOR))
    # The admin answers a refusal by sending them to its dashboard.
    assert client.get(reverse("contracts_import")).status_code == 302
    url = reverse("contracts_enter_actuals", args=[contracts[0].pk])
    assert client.post(url, {"period": "2026-10"}).status_code == 302
    assert client.get(reverse(LIST)).status_code == 200


@pytest.mark.parametrize("who", ["manager_a", "lead_a1", "agent_a1"])
def test_vendor_side_people_have_none_of_these_pages(client, world, contracts, who):
    client.force_login(getattr(world, who).user)
    for url in (
        reverse(LIST),
        reverse(ACTUALS),
        reverse("contracts_import"),
        reverse("contracts_enter_actuals", args=[contracts[0].pk]),
    ):
        response = client.get(url)
        assert response.status_code in (302, 403), url
    response = client.post(reverse("contracts_import"), {"file": SimpleUploadedFile("a.csv", b"x")})
    assert response.status_code in (302, 403)
    assert not KpiActual.objects.exists()


def _actuals(contract, months):
    for kpi in contract.kpis.filter(period="month"):
        record_actuals(
            [Line(n, kpi, date(2026, month, 1), "4") for n, month in enumerate(months, 1)],
            source="entered",
            vendor=contract.vendor,
        )


@pytest.mark.parametrize("name", [LIST, ACTUALS])
def test_listings_take_the_same_queries_whatever_their_length(
    client, world, contracts, name, django_assert_num_queries
):
    from contracts.builders import make_contract

    client.force_login(world.client_manager)
    _actuals(contracts[0], [1, 2])
    client.get(reverse(name))  # warm-up: sessions, permissions, site
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse(name)).status_code == 200
    make_contract(world.vendor_b, name="두 번째 계약", starts_on=date(2026, 6, 1))
    _actuals(contracts[1], [3, 4, 5, 6, 7])
    with django_assert_num_queries(len(few.captured_queries)):
        assert client.get(reverse(name)).status_code == 200


def test_the_export_keeps_formulas_inert(client, world, contracts):
    kpi = contracts[0].kpis.get(code="csat")
    record_actuals(
        [Line(1, kpi, "2026-10", "4", note='=HYPERLINK("http://x")')],
        source="entered",
        vendor=world.vendor_a,
    )
    client.force_login(world.client_manager)
    response = client.get(reverse(ACTUALS) + "?export=csv")
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "'=HYPERLINK" in body


def test_a_kpi_replaced_by_a_new_one_of_the_same_code_is_saved(client, world, contracts):
    contract = contracts[0]
    client.force_login(world.client_manager)
    edit = reverse("wagtailsnippets_contracts_contract:edit", args=[contract.pk])
    rows = [
        {
            "id": kpi.pk,
            **_kpi(kpi.code, unit=kpi.unit, period=kpi.period),
            **({"DELETE": "on"} if kpi.code == "csat" else {}),
        }
        for kpi in contract.kpis.order_by("sort_order")
    ]
    data = _contract_form(world, [*rows, _kpi("csat")], initial=4) | {
        "starts_on": "2026-01-01",
        "pilot_ends_on": "",
    }
    response = client.post(edit, data)
    assert response.status_code in (200, 302)


def test_a_form_leaving_the_kpis_out_is_refused_not_a_500(client, world, contracts):
    contract = contracts[0]
    client.force_login(world.client_manager)
    edit = reverse("wagtailsnippets_contracts_contract:edit", args=[contract.pk])
    rows = [_kpi(kpi.code) for kpi in contract.kpis.all()]
    response = client.post(edit, _contract_form(world, rows) | {"starts_on": "2026-01-01"})
    assert response.status_code == 200
    assert contract.kpis.count() == 4


def _rows(contract, **changes):
    """The contract's KPIs as its edit form posts them, with ``changes`` by code."""
    return [
        {
            "id": kpi.pk,
            **_kpi(kpi.code, unit=kpi.unit, period=kpi.period),
            **changes.get(kpi.code, {}),
        }
        for kpi in contract.kpis.order_by("sort_order")
    ]


def test_what_actuals_were_measured_against_stays_as_it_was(client, world, contracts):
    contract = contracts[0]
    csat = contract.kpis.get(code="csat")
    record_actuals([Line(1, csat, "2026-10", "4.5")], source="entered", vendor=world.vendor_a)
    client.force_login(world.client_manager)
    edit = reverse("wagtailsnippets_contracts_contract:edit", args=[contract.pk])
    before = sorted(Kpi.objects.values_list("pk", "code", "unit", "contract__vendor"))

    def refused(rows, **fields):
        data = _contract_form(world, rows, initial=4) | {"starts_on": "2026-01-01"}
        response = client.post(edit, data | {"pilot_ends_on": ""} | fields)
        assert response.status_code == 200
        form = response.context["form"]
        kpi_errors = [e for f in form.formsets["kpis"].forms for e in f.errors]
        return sorted(form.errors) + kpi_errors

    assert refused(_rows(contract), vendor=world.vendor_b.pk) == ["vendor"]
    assert refused(_rows(contract), ends_on="2026-09-30") == ["__all__"]
    assert refused(_rows(contract, csat={"unit": "count"})) == ["unit"]
    assert refused(_rows(contract, csat={"code": "csat-2"})) == ["code"]
    # Saved one by one, a swap would meet the other's code first: refused, not a 500.
    swap = {"response-rate": {"code": "handling-time"}, "handling-time": {"code": "response-rate"}}
    assert refused(_rows(contract, **swap)) == ["code", "code"]
    # A file's CSAT is csat: one KPI each, whatever the case.
    assert refused(_rows(contract, fcr={"code": "CSAT"})) == ["code"]
    assert sorted(Kpi.objects.values_list("pk", "code", "unit", "contract__vendor")) == before

    # A term starting mid-October still covers October: saved, codes kept lower-case.
    data = _contract_form(world, _rows(contract, fcr={"code": "FCR"}), initial=4)
    response = client.post(edit, data | {"starts_on": "2026-10-15", "pilot_ends_on": ""})
    assert response.status_code == 302
    assert set(contract.kpis.values_list("code", flat=True)) == {
        "response-rate",
        "handling-time",
        "csat",
        "fcr",
    }


def test_only_those_who_record_actuals_are_offered_the_import(client, world):
    import_url = reverse("contracts_import")
    client.force_login(make_client_staff(role=Role.CLIENT_EDITOR))
    assert import_url not in client.get("/admin/").text
    assert client.get(import_url).status_code in (302, 403)
    client.force_login(world.client_manager)
    assert import_url in client.get("/admin/").text


def test_a_contract_with_review_notes_keeps_its_vendor(client, world, contracts):
    from contracts.reviewing import add_review_note

    contract = contracts[0]
    add_review_note(contract, date(2026, 10, 1), "10월 합의", world.client_manager)
    client.force_login(world.client_manager)
    edit = reverse("wagtailsnippets_contracts_contract:edit", args=[contract.pk])
    data = _contract_form(world, _rows(contract), initial=4) | {"starts_on": "2026-01-01"}
    response = client.post(edit, data | {"pilot_ends_on": "", "vendor": world.vendor_b.pk})
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["vendor"]
    contract.refresh_from_db()
    assert contract.vendor == world.vendor_a
