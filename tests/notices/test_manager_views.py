"""Managers' status pages, exports and reminders: counts right, queries fixed, vendors apart."""

import csv
import io
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from notices.models import Reminder
from tests.factories import make_agent

from .builders import ack, publish_notice

pytestmark = pytest.mark.django_db


@pytest.fixture
def notice(world, eager_celery, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        page = publish_notice(everyone=True, due_in=timedelta(hours=-1))
    ack(page, world.agent_a1)
    ack(page, world.agent_b1)
    mail.outbox.clear()
    return page


def status_url(notice, **query):
    url = reverse("notices:manage_status", args=[notice.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def test_a_vendor_manager_sees_their_vendor_only(client, world, notice):
    client.force_login(world.manager_a.user)
    response = client.get(status_url(notice))
    assert response.status_code == 200
    totals = response.context["status"].totals
    # Vendor A: two agents, a team lead and the manager; one has acknowledged.
    assert (totals.targeted, totals.delivered, totals.acknowledged) == (4, 4, 1)
    assert totals.overdue == 3
    body = response.content.decode()
    assert world.agent_a2.user.name in body
    assert world.agent_b1.user.name not in body
    assert world.vendor_b.name not in body


def test_a_team_lead_sees_their_team_only(client, world, notice):
    client.force_login(world.lead_a1.user)
    status = client.get(status_url(notice, state="all")).context["status"]
    assert {d.agent_id for d in status.rows} == {world.agent_a1.pk, world.lead_a1.pk}


def test_client_managers_see_every_vendor_in_the_admin(client, world, notice):
    client.force_login(world.client_manager)
    response = client.get(reverse("notices_admin_status", args=[notice.pk]))
    assert response.status_code == 200
    status = response.context["status"]
    assert {g.vendor for g in status.by_vendor} == {world.vendor_a.name, world.vendor_b.name}
    assert status.totals.acknowledged == 2
    assert client.get(reverse("notices_admin_list")).status_code == 200


def test_another_vendors_notice_status_exports_and_agents_are_404(client, world, eager_celery):
    only_a = publish_notice(vendors=[world.vendor_a])
    client.force_login(world.manager_b.user)
    for url in (
        reverse("notices:manage_status", args=[only_a.pk]),
        reverse("notices:manage_export", args=[only_a.pk, "csv"]),
        reverse("notices:manage_export", args=[only_a.pk, "xlsx"]),
        reverse("notices:manage_audit", args=[only_a.pk, "csv"]),
        reverse("notices:agent_audit", args=[world.agent_a1.pk, "csv"]),
        only_a.url,
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("notices:manage_remind", args=[only_a.pk])).status_code == 404


def test_filters_outside_the_scope_are_404(client, world, notice):
    client.force_login(world.manager_a.user)
    assert client.get(status_url(notice, team=world.team_b1.pk)).status_code == 404
    assert client.get(status_url(notice, vendor=world.vendor_b.pk)).status_code == 404
    response = client.get(status_url(notice, team=world.team_a2.pk, state="all"))
    assert {d.agent_id for d in response.context["status"].rows} == {world.agent_a2.pk}


def test_agents_cannot_open_manager_pages(client, world, notice):
    client.force_login(world.agent_a1.user)
    assert client.get(status_url(notice)).status_code == 403
    assert client.get(reverse("notices:manage_list")).status_code == 403


def test_the_status_page_query_count_does_not_grow_with_agents(
    client, world, notice, django_capture_on_commit_callbacks
):
    client.force_login(world.client_manager)
    url = status_url(notice, state="all")
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    from notices.tasks import reach_newcomers

    for index in range(12):
        make_agent([world.team_a1, world.team_a2, world.team_b1][index % 3])
    with django_capture_on_commit_callbacks(execute=True):
        assert reach_newcomers() == 1
    with CaptureQueriesContext(connection) as large:
        response = client.get(url)
    assert response.context["status"].totals.delivered == 6 + 12
    assert len(large) == len(small)


def test_the_notice_list_query_count_does_not_grow_with_notices(client, world, notice):
    client.force_login(world.manager_a.user)
    url = reverse("notices:manage_list")
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for n in range(3):
        publish_notice(f"공지 {n}", vendors=[world.vendor_a])
    from notices.models import NoticeDispatch
    from notices.tasks import dispatch_notice

    for dispatch in NoticeDispatch.objects.exclude(status="done"):
        dispatch_notice(dispatch.pk)
    with CaptureQueriesContext(connection) as four:
        response = client.get(url)
    assert len(response.context["listed"]) == 4
    assert len(four) == len(one)


def test_csv_and_xlsx_exports(client, world, notice):
    client.force_login(world.manager_a.user)
    response = client.get(reverse("notices:manage_export", args=[notice.pk, "csv"]))
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert len(rows) == 1 + 4
    assert {row[0] for row in rows[1:]} == {
        p.employee_number for p in (world.agent_a1, world.agent_a2, world.lead_a1, world.manager_a)
    }
    response = client.get(
        reverse("notices:manage_export", args=[notice.pk, "xlsx"]) + "?state=unacknowledged"
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.max_row == 1 + 3


def test_the_status_export_has_the_pages_columns_as_real_moments(client, world, notice):
    """The page's status column, each moment a date cell in the zone its heading names."""
    client.force_login(world.manager_a.user)
    response = client.get(reverse("notices:manage_export", args=[notice.pk, "xlsx"]))
    sheet = load_workbook(io.BytesIO(response.content)).active
    header = [cell.value for cell in sheet[1]]
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref.startswith("A1:")
    timed = [i for i, heading in enumerate(header) if "(Asia/Seoul)" in heading]
    assert len(timed) == 3  # delivered, read, acknowledged
    delivered = sheet.cell(row=2, column=timed[0] + 1)
    assert delivered.is_date
    status = header.index("상태") if "상태" in header else header.index("Status")
    assert {row[status].value for row in sheet.iter_rows(min_row=2)} == {
        "확인",
        "기한 지남",
    }  # due an hour ago


def test_audit_exports_per_notice_and_per_agent(client, world, notice):
    client.force_login(world.client_manager)
    response = client.get(reverse("notices:manage_audit", args=[notice.pk, "csv"]))
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert len(rows) == 3
    assert len(rows[1][7]) == 64  # the content hash
    assert rows[1][10] == "203.0.113.7"
    client.force_login(world.manager_a.user)
    response = client.get(reverse("notices:agent_audit", args=[world.agent_a1.pk, "xlsx"]))
    assert load_workbook(io.BytesIO(response.content)).active.max_row == 2


def test_remind_now_reaches_only_my_unacknowledged_agents(client, world, notice):
    client.force_login(world.manager_a.user)
    response = client.post(reverse("notices:manage_remind", args=[notice.pk]))
    assert response.status_code == 302
    recipients = {m.to[0] for m in mail.outbox}
    assert recipients == {
        world.agent_a2.user.email,
        world.lead_a1.user.email,
        world.manager_a.user.email,
    }
    assert Reminder.objects.filter(kind="manual").count() == 3


def test_a_second_remind_now_within_the_hour_says_nobody_was_reminded(client, world, notice):
    client.force_login(world.manager_a.user)
    url = reverse("notices:manage_remind", args=[notice.pk])
    first = [str(m) for m in client.post(url, follow=True).context["messages"]]
    assert first == ["3명에게 알림을 보내고 있습니다."]
    mail.outbox.clear()
    again = [str(m) for m in client.post(url, follow=True).context["messages"]]
    assert mail.outbox == []
    assert len(again) == 1
    assert again[0].startswith("3명은 최근 1시간 안에 알림을 받아 다시 보내지 않습니다")
    assert Reminder.objects.filter(kind="manual").count() == 3


def test_the_inbox_on_the_home_page(client, world, eager_celery):
    later = publish_notice("프로모션 안내", teams=[world.team_a1], due_in=timedelta(days=5))
    overdue = publish_notice("긴급 변경", teams=[world.team_a1], due_in=timedelta(hours=-3))
    done = publish_notice("완료한 공지", teams=[world.team_a1], due_in=timedelta(days=1))
    from notices.models import NoticeDispatch
    from notices.tasks import dispatch_notice

    for dispatch in NoticeDispatch.objects.all():
        dispatch_notice(dispatch.pk)
    ack(done, world.agent_a1)
    client.force_login(world.agent_a1.user)
    response = client.get("/")
    tasks = response.context["tasks"]
    assert [d.notice.pk for d in tasks.notices] == [overdue.pk, later.pk, done.pk]
    assert (tasks.notices_to_acknowledge, tasks.overdue_notices) == (2, 1)
    assert "inbox-item--overdue" in response.content.decode()


def test_a_draft_never_published_has_no_status_page(client, world):
    from tests.notices.builders import draft_notice

    draft = draft_notice()
    assert not draft.live
    for person in (world.manager_a.user, world.lead_a1.user, world.client_manager):
        client.force_login(person)
        assert client.get(reverse("notices:manage_status", args=[draft.pk])).status_code == 404
        assert (
            client.get(reverse("notices:manage_export", args=[draft.pk, "csv"])).status_code == 404
        )
    client.force_login(world.client_manager)
    assert client.get(reverse("notices_admin_status", args=[draft.pk])).status_code == 404


@pytest.mark.parametrize("asked", ["vendor_b", "team_b1", "no such team", "not a number"])
def test_a_foreign_or_unknown_filter_fails_validation_without_a_leak(client, world, notice, asked):
    query = {
        "vendor_b": f"vendor={world.vendor_b.pk}",
        "team_b1": f"team={world.team_b1.pk}",
        "no such team": "team=999999",
        "not a number": "vendor=1%20OR%201=1",
    }[asked]
    client.force_login(world.manager_a.user)
    for url in (
        reverse("notices:manage_status", args=[notice.pk]),
        reverse("notices:manage_export", args=[notice.pk, "csv"]),
    ):
        response = client.get(f"{url}?{query}")
        assert response.status_code == 404, url
        body = response.content.decode()
        assert world.vendor_b.name not in body and world.agent_b1.user.name not in body


def test_an_unknown_state_says_so_and_shows_the_default(client, world, notice):
    client.force_login(world.manager_a.user)
    response = client.get(status_url(notice, state="everything"))
    assert response.status_code == 200
    assert [e.code for e in response.context["filters"].errors.as_data()["state"]] == [
        "invalid_choice"
    ]
    assert 'id="f-state_error"' in response.content.decode()
    # The default: who has not acknowledged yet.
    assert world.agent_a1.pk not in {d.agent_id for d in response.context["status"].rows}
    assert response.context["query"] == "state=unacknowledged"
