"""Go-live readiness: computed right, fixed in queries, and every vendor kept apart."""

import csv
import io
from datetime import date, timedelta

import pytest
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from portal.audit import guards
from portal.audit.chain import verify_chain, verify_linked_records
from tests.factories import make_agent
from tests.notices.builders import ack, publish_notice
from training.builders import pass_course, read_lessons
from training.models import SignOff
from training.readiness import agent_readiness
from training.signing import SignOffRefused, sign_off

from .builders import publish_course

pytestmark = pytest.mark.django_db


def test_ready_means_courses_passed_and_notices_acknowledged(world, english):
    basics = publish_course("기본 교육")
    refund = publish_course("환불 교육", everyone=False, vendors=[world.vendor_a])
    publish_course("선택 교육", required=False)
    notice = publish_notice(everyone=True)
    publish_notice("안내만", everyone=True, acknowledgement_required=False, due_in=None)
    agent = world.agent_a1
    readiness = agent_readiness(agent)
    assert [s.title for s in readiness.courses] == ["기본 교육", "환불 교육"]
    assert (readiness.notices_required, readiness.notices_acknowledged) == (0, 0)
    # Deliveries are what a notice's audience received; make them as the worker would.
    from notices.delivery import create_deliveries
    from notices.versions import current_material_version

    create_deliveries(current_material_version(notice), [agent.pk, world.agent_b1.pk])
    readiness = agent_readiness(agent)
    assert not readiness.ready
    assert readiness.notices_required == 1
    read_lessons(basics, agent)
    assert (
        "Quiz not passed: 기본 교육" in agent_readiness(agent).blockers
        or not agent_readiness(agent).ready
    )
    pass_course(basics, agent)
    pass_course(refund, agent)
    readiness = agent_readiness(agent)
    assert readiness.training_done and not readiness.ready
    assert [d.notice.title for d in readiness.outstanding_notices] == [notice.title]
    ack(notice, agent)
    readiness = agent_readiness(agent)
    assert readiness.ready and readiness.percent == 100 and readiness.blockers == []
    # Vendor B's agent has only the course for everyone.
    assert [s.title for s in agent_readiness(world.agent_b1).courses] == ["기본 교육"]


def test_a_vendor_can_ask_for_the_team_leads_sign_off(world, english):
    world.vendor_a.go_live_sign_off = True
    world.vendor_a.save()
    course = publish_course()
    agent = world.agent_a1
    with pytest.raises(SignOffRefused):
        sign_off(agent_readiness(agent), world.lead_a1.user)
    assert not SignOff.objects.exists()
    pass_course(course, agent)
    readiness = agent_readiness(agent)
    assert (not readiness.ready and readiness.blockers == ["Team lead sign-off"]) or (
        readiness.blockers and not readiness.ready
    )
    record, created = sign_off(readiness, world.lead_a1.user, ip_address="203.0.113.9")
    again, created_again = sign_off(agent_readiness(agent), world.lead_a1.user)
    assert created and not created_again and again.pk == record.pk
    assert agent_readiness(agent).ready
    assert verify_chain().intact and verify_linked_records() == []


def test_sign_offs_are_never_changed(world):
    world.vendor_a.go_live_sign_off = True
    world.vendor_a.save()
    pass_course(publish_course(), world.agent_a1)
    for table in guards.guarded_tables():
        guards.install(connection, table)
    record, _ = sign_off(agent_readiness(world.agent_a1), world.lead_a1.user)
    with pytest.raises(DatabaseError), transaction.atomic():
        SignOff.objects.filter(pk=record.pk).update(statement="forged")
    with pytest.raises(DatabaseError), transaction.atomic():
        SignOff.objects.filter(pk=record.pk).delete()
    if connection.vendor == "sqlite":
        for table in guards.guarded_tables():
            guards.remove(connection, table)


# --- The readiness view -------------------------------------------------------------


@pytest.fixture
def course(world):
    return publish_course()


def readiness_url(**query):
    url = reverse("training:readiness")
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def test_a_vendor_manager_sees_their_own_agents_and_their_blockers(client, world, course):
    pass_course(course, world.agent_a1)
    client.force_login(world.manager_a.user)
    response = client.get(readiness_url())
    assert response.status_code == 200
    totals = response.context["totals"]
    assert (totals["agents"], totals["ready"], totals["percent"]) == (2, 1, 50)
    body = response.content.decode()
    assert world.agent_a2.user.name in body
    assert world.agent_b1.user.name not in body
    assert world.vendor_b.name not in body
    assert "Not started" in body or "시작하지 않음" in body


def test_a_team_lead_sees_their_team_only(client, world, course):
    client.force_login(world.lead_a1.user)
    response = client.get(readiness_url())
    assert [r.agent for r in response.context["rows"]] == [world.agent_a1]


@pytest.mark.parametrize("who", ["manager_a", "lead_a1"])
def test_other_vendors_and_teams_are_404(client, world, course, who):
    client.force_login(getattr(world, who).user)
    assert client.get(readiness_url(vendor=world.vendor_b.pk)).status_code == 404
    assert client.get(readiness_url(team=world.team_b1.pk)).status_code == 404
    export = reverse("training:readiness_export", args=["csv"])
    assert client.get(export + f"?team={world.team_b1.pk}").status_code == 404
    sign = reverse("training:sign_off", args=[world.agent_b1.pk])
    assert client.post(sign).status_code == 404
    if who == "lead_a1":
        assert client.get(readiness_url(team=world.team_a2.pk)).status_code == 404


@pytest.mark.parametrize("query", ["vendor={vendor_b}", "team={team_b1}", "team=x", "vendor=0"])
def test_a_foreign_or_unknown_filter_fails_validation_without_a_leak(client, world, course, query):
    query = query.format(vendor_b=world.vendor_b.pk, team_b1=world.team_b1.pk)
    client.force_login(world.manager_a.user)
    for url in (readiness_url(), reverse("training:readiness_export", args=["xlsx"])):
        response = client.get(f"{url}?{query}")
        assert response.status_code == 404, url
        assert world.vendor_b.name.encode() not in response.content


def test_a_date_that_is_not_one_says_so_and_filters_nothing(client, world, course):
    client.force_login(world.manager_a.user)
    response = client.get(readiness_url(go_live="someday"))
    assert response.status_code == 200
    assert "go_live" in response.context["filters"].errors
    assert 'id="f-go_live_error"' in response.content.decode()
    assert {r.agent for r in response.context["rows"]} == {world.agent_a1, world.agent_a2}
    assert response.context["query"] == "state=all"


def test_agents_cannot_open_the_readiness_view(client, world, course):
    client.force_login(world.agent_a1.user)
    assert client.get(readiness_url()).status_code == 403
    assert client.get(reverse("training:readiness_export", args=["csv"])).status_code == 403


def test_client_managers_see_every_vendor_in_the_admin(client, world, course):
    client.force_login(world.client_manager)
    response = client.get(reverse("training_admin_readiness"))
    assert response.status_code == 200
    assert response.context["totals"]["agents"] == 3
    assert world.vendor_b.name in response.content.decode()


def test_filters_by_cohort_and_state(client, world, course):
    world.agent_a1.go_live_date = date(2026, 12, 7)
    world.agent_a1.save()
    pass_course(course, world.agent_a2)
    client.force_login(world.manager_a.user)
    rows = client.get(readiness_url(go_live="2026-12-07")).context["rows"]
    assert [r.agent for r in rows] == [world.agent_a1]
    rows = client.get(readiness_url(state="ready")).context["rows"]
    assert [r.agent for r in rows] == [world.agent_a2]
    cohorts = client.get(readiness_url()).context["cohorts"]
    assert {(c.team.pk, c.go_live_date, c.agents, c.ready) for c in cohorts} == {
        (world.team_a1.pk, date(2026, 12, 7), 1, 0),
        (world.team_a2.pk, None, 1, 1),
    }


def test_exports_list_each_agent_with_what_is_missing(client, world, course):
    pass_course(course, world.agent_a1)
    client.force_login(world.manager_a.user)
    response = client.get(reverse("training:readiness_export", args=["csv"]))
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert len(rows) == 3
    by_number = {row[0]: row for row in rows[1:]}
    assert by_number[world.agent_a1.employee_number][6] == "100"
    assert course.title in by_number[world.agent_a2.employee_number][10]
    response = client.get(reverse("training:readiness_export", args=["xlsx"]) + "?state=ready")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)] == [
        world.agent_a1.employee_number
    ]


def test_a_team_lead_signs_off_from_the_view(client, world, course):
    world.vendor_a.go_live_sign_off = True
    world.vendor_a.save()
    pass_course(course, world.agent_a1)
    client.force_login(world.lead_a1.user)
    readiness = client.get(reverse("training:readiness")).content.decode()
    sign = reverse("training:sign_off", args=[world.agent_a1.pk])
    assert f'href="{sign}?next=' in readiness  # a link to the question, not a form
    # Asked first: what it attests, that it cannot be undone; nothing recorded yet.
    asked = client.get(sign, {"next": "/training/readiness/?team=1"}).content.decode()
    assert "업무 투입을 승인하시겠습니까?" in asked and "되돌릴 수 없습니다" in asked
    assert 'name="next" value="/training/readiness/?team=1"' in asked
    assert 'data-testid="sign-off-confirmed"' in asked
    assert not SignOff.objects.exists()
    response = client.post(sign, follow=True)
    assert response.status_code == 200
    record = SignOff.objects.get()
    assert record.signed_by == world.lead_a1.user
    assert response.context["totals"]["ready"] == 1
    # Not yet done: refused with a message, nothing recorded.
    client.force_login(world.manager_a.user)
    asked = client.get(reverse("training:sign_off", args=[world.agent_a2.pk])).content.decode()
    assert 'data-testid="sign-off-unavailable"' in asked and "sign-off-confirmed" not in asked
    response = client.post(reverse("training:sign_off", args=[world.agent_a2.pk]), follow=True)
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    assert SignOff.objects.count() == 1


def test_verify_audit_finds_a_sign_off_changed_or_deleted_behind_the_application(
    client, world, course, capsys
):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    from portal.audit import guards

    world.vendor_a.go_live_sign_off = True
    world.vendor_a.save()
    pass_course(course, world.agent_a1)
    client.force_login(world.lead_a1.user)
    client.post(reverse("training:sign_off", args=[world.agent_a1.pk]))
    signed = SignOff.objects.get()
    call_command("verify_audit")
    guards.remove(connection, "training_signoff")
    SignOff.objects.update(signed_by=world.manager_a.user)
    with pytest.raises(CommandError):
        call_command("verify_audit")
    assert f"sign-off {signed.pk}: signed_by differs" in capsys.readouterr().err
    SignOff.objects.all().delete()
    with pytest.raises(CommandError):
        call_command("verify_audit")
    assert f"audit record {signed.audit_record_id}: its sign-off is missing" in (
        capsys.readouterr().err
    )


def test_the_query_count_does_not_grow_with_the_number_of_agents(client, world):
    courses = [publish_course(f"교육 {n}") for n in range(3)]
    notice = publish_notice(everyone=True)
    from notices.delivery import create_deliveries
    from notices.versions import current_material_version

    def measure():
        client.force_login(world.manager_a.user)
        client.get(readiness_url())  # warm up: the session is saved at most once a minute
        with CaptureQueriesContext(connection) as queries:
            assert client.get(readiness_url()).status_code == 200
        return len(queries)

    def deliver_to_everyone():
        from portal.organisation.models import AgentProfile

        agents = list(AgentProfile.objects.values_list("pk", flat=True))
        create_deliveries(current_material_version(notice), agents)

    pass_course(courses[0], world.agent_a1)
    deliver_to_everyone()
    small = measure()
    for n in range(12):
        agent = make_agent(world.team_a1 if n % 2 else world.team_a2, go_live_date=date.today())
        pass_course(courses[n % 3], agent)
    deliver_to_everyone()
    ack(notice, world.agent_a1)
    large = measure()
    assert large == small


def test_the_chart_climbs_towards_go_live(client, world, course):
    from training.nudges import record_snapshots

    for agent in (world.agent_a1, world.agent_a2):
        agent.go_live_date = date.today() + timedelta(days=5)
        agent.save()
    record_snapshots(date.today() - timedelta(days=1))
    pass_course(course, world.agent_a1)
    client.force_login(world.manager_a.user)
    chart = client.get(readiness_url()).context["chart"]
    assert [percent for _day, percent in chart["days"]] == [0, 50]
    assert chart["go_live"] == date.today() + timedelta(days=5)


def _deliver(notice, *agents):
    from notices.delivery import create_deliveries
    from notices.versions import current_material_version

    create_deliveries(current_material_version(notice), [agent.pk for agent in agents])


def test_only_notices_that_count_for_readiness_hold_an_agent_back(world):
    counting = publish_notice("오픈 전 필수 공지", everyone=True, counts_for_readiness=True)
    routine = publish_notice("운영 공지", everyone=True, counts_for_readiness=False)
    _deliver(counting, world.agent_a1)
    _deliver(routine, world.agent_a1)
    readiness = agent_readiness(world.agent_a1)
    assert (readiness.notices_required, readiness.notices_acknowledged) == (1, 0)
    ack(counting, world.agent_a1)
    assert agent_readiness(world.agent_a1).notices_done


def test_a_cohort_already_live_is_not_dragged_back(world):
    live = world.agent_a1
    live.go_live_date = date.today() - timedelta(days=10)
    live.save()
    waiting = world.agent_a2
    waiting.go_live_date = date.today() + timedelta(days=5)
    waiting.save()
    notice = publish_notice("새 정책", everyone=True, counts_for_readiness=True)
    _deliver(notice, live, waiting)
    assert agent_readiness(live).notices_required == 0
    assert agent_readiness(waiting).notices_required == 1


def test_the_notice_editor_says_how_many_agents_and_cohorts_it_holds_back(client, world):
    client.cookies["portal_language"] = "en"
    from portal.organisation.roles import Role, ensure_content_permissions
    from tests.factories import make_client_staff

    for agent, days in ((world.agent_a1, 3), (world.agent_a2, 3), (world.agent_b1, -3)):
        agent.go_live_date = date.today() + timedelta(days=days)
        agent.save()
    notice = publish_notice("오픈 전 필수 공지", everyone=True, counts_for_readiness=True)
    ensure_content_permissions()
    client.force_login(make_client_staff(Role.CLIENT_PUBLISHER))
    page = client.get(reverse("wagtailadmin_pages:edit", args=[notice.pk])).text
    impact = page.split('data-testid="readiness-impact"', 1)[1][:600]
    # Agents A1 and A2 go live in 3 days (two cohorts); agent B is live already; leads
    # and managers are not counted in readiness.
    assert ("2" in impact and "상담사 2명" in impact) or "2 agents" in impact
