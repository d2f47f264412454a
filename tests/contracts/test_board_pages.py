"""The board's pages: vendor managers see their vendor's only, client staff every vendor's
side by side (in the portal and the admin, with a vendor filter), team leads and agents
none; review notes written on the board, bad ones refused with a message and nothing
written; both sides emailed once when a KPI is missed twice in a row."""

from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from contracts.alerts import AlertNotSent, send_missed_kpi_alerts
from contracts.board import complete_periods
from contracts.builders import make_contract
from contracts.models import KpiActual, KpiAlert, ReviewNote
from contracts.tasks import send_missed_kpi_alerts_task
from portal.organisation.roles import Role
from portal.periods import today
from tests.factories import make_client_staff

pytestmark = pytest.mark.django_db

BOARD = reverse("contracts:board")
ADMIN_BOARD = reverse("contracts_admin_board")


@pytest.fixture
def boards(world):
    """Both vendors' contracts; vendor B's response rate missed in the latest two months,
    vendor A's met."""
    start = complete_periods("month", today())[0].start
    contract_a = make_contract(world.vendor_a, starts_on=start)
    contract_b = make_contract(world.vendor_b, starts_on=start)
    months = complete_periods("month", today())
    for contract, values in ((contract_a, ["95", "93"]), (contract_b, ["85", "80"])):
        rate = contract.kpis.get(code="response-rate")
        for month, value in zip(months[-2:], values, strict=True):
            KpiActual.objects.create(
                kpi=rate,
                period_start=month.start,
                value=Decimal(value),
                source="pushed",
                recorded_at=timezone.now(),
            )
    return contract_a, contract_b


def _vendor_sections(response):
    return response.content.decode().count('data-testid="vendor-board"')


def test_a_vendor_manager_sees_their_vendor_only(client, world, boards):
    client.force_login(world.manager_a.user)
    response = client.get(BOARD)
    assert response.status_code == 200
    page = response.content.decode()
    assert world.vendor_a.name in page and world.vendor_b.name not in page
    assert _vendor_sections(response) == 1
    assert "85.0%" not in page and "93.0%" in page
    assert 'data-testid="board-filter"' not in page  # one vendor: nothing to choose
    # Another vendor's id is no choice of theirs.
    assert client.get(BOARD, {"vendor": world.vendor_b.pk}).status_code == 404
    assert client.get(BOARD, {"vendor": world.vendor_a.pk}).status_code == 200


@pytest.mark.parametrize("who", ["lead_a1", "agent_a1"])
def test_team_leads_and_agents_have_no_board(client, world, boards, who):
    client.force_login(getattr(world, who).user)
    assert client.get(BOARD).status_code == 403
    assert client.get(ADMIN_BOARD).status_code in (302, 403)


def test_signed_out_visitors_are_sent_to_sign_in(client, boards):
    response = client.get(BOARD)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("url", [BOARD, ADMIN_BOARD])
def test_client_staff_see_the_vendors_side_by_side_with_a_missed_status(
    client, world, boards, url, django_assert_max_num_queries
):
    client.force_login(world.client_manager)
    client.get(url)  # warm-up: the session, the menu
    with django_assert_max_num_queries(40) as captured:
        response = client.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-testid="board-matrix"' in page and _vendor_sections(response) == 2
    assert "미달" in page and "2개월 연속 미달" in page and "달성" in page
    assert "80.0%" in page
    first = len(captured)
    # Filtered to one vendor, and with more KPIs' data: no more queries.
    with django_assert_max_num_queries(first):
        response = client.get(url, {"vendor": world.vendor_b.pk})
    assert _vendor_sections(response) == 1
    assert client.get(url, {"vendor": "999999"}).status_code == 404
    assert client.get(url, {"vendor": "x"}).status_code == 404


def test_the_admin_lists_the_board_for_client_staff(client, world, boards):
    client.force_login(world.client_manager)
    assert ADMIN_BOARD in client.get(reverse("wagtailadmin_home")).content.decode()


def test_a_vendor_manager_keeps_a_review_note_with_its_month(client, world, boards):
    contract_a, _contract_b = boards
    month = complete_periods("month", today())[-1].start
    client.force_login(world.manager_a.user)
    response = client.post(
        BOARD,
        {"contract": contract_a.pk, "period": f"{month:%Y-%m}", "text": "<b>피크 인력 +2</b>"},
    )
    assert response.status_code == 302
    note = ReviewNote.objects.get()
    assert (note.contract, note.period_start, note.author) == (
        contract_a,
        month,
        world.manager_a.user,
    )
    page = client.get(BOARD).content.decode()
    assert "&lt;b&gt;피크 인력 +2&lt;/b&gt;" in page and "<b>피크" not in page
    # The client's manager reads it, and adds theirs.
    client.force_login(world.client_manager)
    assert "피크 인력 +2" in client.get(BOARD).content.decode()
    client.post(BOARD, {"contract": contract_a.pk, "period": f"{month:%Y-%m}", "text": "확인"})
    assert ReviewNote.objects.count() == 2


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"text": ""}, "합의한 내용을 적어 주세요."),
        ({"text": "   "}, "합의한 내용을 적어 주세요."),
        ({"text": "가" * 4001}, "4000자까지"),
        ({"period": "2020-01"}, "2020-01"),
        ({"period": "2026-13"}, "2026-13"),
        ({"contract": "abc"}, None),
    ],
)
def test_a_bad_note_is_refused_with_a_message_and_nothing_written(
    client, world, boards, data, message
):
    contract_a, _b = boards
    month = complete_periods("month", today())[-1].start
    client.force_login(world.manager_a.user)
    post = {"contract": contract_a.pk, "period": f"{month:%Y-%m}", "text": "합의", **data}
    response = client.post(BOARD, post)
    assert response.status_code in (400, 404)
    if message:
        assert response.status_code == 400 and message in response.content.decode()
    assert not ReviewNote.objects.exists()


def test_nobody_writes_a_note_on_another_vendors_contract_or_without_the_right(
    client, world, boards
):
    _a, contract_b = boards
    month = complete_periods("month", today())[-1].start
    post = {"contract": contract_b.pk, "period": f"{month:%Y-%m}", "text": "합의"}
    client.force_login(world.manager_a.user)
    assert client.post(BOARD, post).status_code == 404
    client.force_login(world.lead_a1.user)
    assert client.post(BOARD, post).status_code == 403
    client.force_login(make_client_staff(Role.CLIENT_EDITOR))
    assert client.post(BOARD, post).status_code == 403
    assert 'data-testid="review-form"' not in client.get(BOARD).content.decode()
    assert not ReviewNote.objects.exists()


def test_a_kpi_missed_twice_in_a_row_is_emailed_to_both_sides_once(world, boards, eager_celery):
    _a, contract_b = boards
    assert send_missed_kpi_alerts_task.delay().get() == 1
    recipients = sorted(message.to[0] for message in mail.outbox)
    assert recipients == sorted([world.manager_b.user.email, world.client_manager.email])
    message = mail.outbox[0]
    assert "온누리컨택" in message.subject and "2개월 연속 미달" in message.subject
    assert "80.0%" in message.body and "85.0%" in message.body
    assert world.vendor_a.name not in "".join(m.body for m in mail.outbox)
    alerts = KpiAlert.objects.all()
    assert {alert.kpi for alert in alerts} == {contract_b.kpis.get(code="response-rate")}
    assert sorted(alert.recipient.email for alert in alerts if alert.sent_at) == recipients
    # Again, or by a second beat: nothing more.
    assert send_missed_kpi_alerts() == 0
    assert len(mail.outbox) == 2


def test_an_alert_the_mail_server_refuses_is_given_back_for_the_retry(world, boards, monkeypatch):
    from django.core.mail.backends.locmem import EmailBackend

    original = EmailBackend.send_messages

    def refuse_the_client_manager(self, messages):
        if messages[0].to == [world.client_manager.email]:
            raise OSError("421 try again later")
        return original(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", refuse_the_client_manager)
    with pytest.raises(AlertNotSent):
        send_missed_kpi_alerts()
    assert [message.to for message in mail.outbox] == [[world.manager_b.user.email]]
    monkeypatch.undo()
    # The retry tells the one not yet told, and nobody twice.
    assert send_missed_kpi_alerts() == 1
    assert [message.to for message in mail.outbox] == [
        [world.manager_b.user.email],
        [world.client_manager.email],
    ]


def test_the_alerts_run_on_beat(settings):
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "contracts.send_missed_kpi_alerts" in tasks


def test_the_board_exports_what_the_viewer_sees_with_inert_cells(client, world, boards):
    contract_a, _contract_b = boards
    contract_a.kpis.filter(code="csat").update(name='=HYPERLINK("http://x")')
    export = reverse("contracts:board_export", args=["csv"])
    client.force_login(world.manager_a.user)
    assert f'href="{export}"' in client.get(BOARD).content.decode()
    body = b"".join(client.get(export).streaming_content).decode("utf-8-sig")
    assert world.vendor_a.name in body and world.vendor_b.name not in body
    assert "93.0%" in body and "85.0%" not in body
    assert "'=HYPERLINK" in body
    client.force_login(world.client_manager)
    both = b"".join(client.get(export).streaming_content).decode("utf-8-sig")
    assert world.vendor_b.name in both and "80.0%" in both
    one = client.get(export, {"vendor": world.vendor_b.pk})
    assert world.vendor_a.name not in b"".join(one.streaming_content).decode("utf-8-sig")
    xlsx = client.get(reverse("contracts:board_export", args=["xlsx"]))
    assert xlsx.status_code == 200 and xlsx.content.startswith(b"PK")
    client.force_login(world.lead_a1.user)
    assert client.get(export).status_code == 403
