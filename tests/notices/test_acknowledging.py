"""Acknowledging: once per agent and version, with proof, never changed afterwards."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from notices.acknowledging import AcknowledgementRefused
from notices.models import Acknowledgement, Delivery
from portal.audit import guards
from portal.audit.chain import seal
from portal.audit.models import AuditRecord
from portal.publishing import publish_again

from .builders import QUESTION, ack, publish_notice

pytestmark = pytest.mark.django_db


def test_an_acknowledgement_records_who_what_when_where(world):
    notice = publish_notice(teams=[world.team_a1])
    outcome = ack(notice, world.agent_a1, ip_address="198.51.100.4", user_agent="Chrome")
    record = outcome.acknowledgement
    assert outcome.created
    assert record.agent == world.agent_a1
    assert record.revision_id == notice.live_revision_id
    assert len(record.content_hash) == 64
    assert record.ip_address == "198.51.100.4"
    assert record.user_agent == "Chrome"
    assert record.on_time
    assert record.statement
    assert record.audit_record.payload["content_hash"] == record.content_hash


def test_a_late_acknowledgement_is_marked_late(world):
    from datetime import timedelta

    notice = publish_notice(teams=[world.team_a1], due_in=timedelta(hours=-1))
    assert ack(notice, world.agent_a1).acknowledgement.on_time is False


def test_acknowledging_twice_keeps_one(world):
    notice = publish_notice(teams=[world.team_a1])
    first = ack(notice, world.agent_a1)
    second = ack(notice, world.agent_a1)
    assert not second.created
    assert second.acknowledgement.pk == first.acknowledgement.pk
    assert Acknowledgement.objects.count() == 1
    assert AuditRecord.objects.count() == 1


def test_wrong_answers_are_refused_and_nothing_is_recorded(world):
    notice = publish_notice(teams=[world.team_a1], questions=[QUESTION, QUESTION])
    for answers in ({}, {"0": ["0"], "1": ["1"]}, {"0": ["1", "0"], "1": ["1"]}, {"7": ["1"]}):
        with pytest.raises(AcknowledgementRefused):
            ack(notice, world.agent_a1, answers=answers)
    assert Acknowledgement.objects.count() == AuditRecord.objects.count() == 0
    assert ack(notice, world.agent_a1, answers={"0": ["1"], "1": ["1"]}).created


def test_a_stale_revision_is_refused(world):
    from notices.acknowledging import acknowledge

    notice = publish_notice(teams=[world.team_a1])
    with pytest.raises(AcknowledgementRefused):
        acknowledge(notice, world.agent_a1, revision_id=notice.live_revision_id + 999)
    assert not Acknowledgement.objects.exists()


def test_only_the_audience_can_acknowledge(world):
    notice = publish_notice(teams=[world.team_a1])
    with pytest.raises(AcknowledgementRefused):
        ack(notice, world.agent_b1)


def test_the_database_refuses_to_change_or_delete_acknowledgements(world):
    for table in guards.guarded_tables():
        guards.install(connection, table)
    notice = publish_notice(teams=[world.team_a1])
    record = ack(notice, world.agent_a1).acknowledgement
    with pytest.raises(DatabaseError), transaction.atomic():
        Acknowledgement.objects.filter(pk=record.pk).update(statement="forged")
    with pytest.raises(DatabaseError), transaction.atomic():
        Acknowledgement.objects.filter(pk=record.pk).delete()
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditRecord.objects.filter(pk=record.audit_record_id).update(kind="forged")


def test_verify_audit_passes_then_finds_tampering(world, capsys):
    notice = publish_notice(everyone=True)
    for agent in (world.agent_a1, world.agent_a2, world.agent_b1):
        ack(notice, agent)
    call_command("verify_audit")
    assert "0 records sealed, 3 pending" in capsys.readouterr().out
    seal()
    call_command("verify_audit")
    assert "3 records sealed, 0 pending" in capsys.readouterr().out
    # Tamper as someone with direct database access would, triggers lifted first.
    guards.remove(connection, "audit_auditrecord")
    middle = AuditRecord.objects.order_by("pk")[1]
    payload = {**middle.payload, "ip_address": "10.0.0.1"}
    AuditRecord.objects.filter(pk=middle.pk).update(payload=payload)
    with pytest.raises(CommandError):
        call_command("verify_audit")
    assert "content does not match its keyed hash" in capsys.readouterr().err


def test_the_database_refuses_to_truncate_the_ledger(world):
    """Row triggers do not see TRUNCATE; a statement-level guard does (PostgreSQL; SQLite
    has no TRUNCATE)."""
    if connection.vendor != "postgresql":
        pytest.skip("TRUNCATE exists on PostgreSQL only (DATABASE_URL=postgres://…)")
    for table in guards.guarded_tables():
        guards.install(connection, table)
    notice = publish_notice(teams=[world.team_a1])
    ack(notice, world.agent_a1)
    for table in guards.guarded_tables():
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {table} CASCADE")
    assert Acknowledgement.objects.count() == 1


@pytest.mark.parametrize(
    "change",
    [
        {"on_time": False},
        {"answers": {"0": ["0"]}},
        {"statement": "I skimmed it."},
    ],
    ids=lambda change: next(iter(change)),
)
def test_verify_audit_finds_an_acknowledgement_changed_behind_the_application(
    world, capsys, change
):
    """As someone holding the database would, with the append-only triggers lifted: the
    row changes, its record and the chain do not."""
    notice = publish_notice(everyone=True, questions=[QUESTION])
    ack(notice, world.agent_a1, answers={"0": ["1"]})
    guards.remove(connection, "notices_acknowledgement")
    Acknowledgement.objects.update(**change)
    with pytest.raises(CommandError):
        call_command("verify_audit")
    assert f"{next(iter(change))} differs from audit record" in capsys.readouterr().err


def test_verify_audit_finds_a_deleted_acknowledgement(world, capsys):
    notice = publish_notice(everyone=True)
    for agent in (world.agent_a1, world.agent_a2):
        ack(notice, agent)
    guards.remove(connection, "notices_acknowledgement")
    gone = Acknowledgement.objects.get(agent=world.agent_a2)
    Acknowledgement.objects.filter(pk=gone.pk).delete()
    with pytest.raises(CommandError):
        call_command("verify_audit")
    assert (
        f"audit record {gone.audit_record_id}: its acknowledgement is missing"
        in capsys.readouterr().err
    )


def test_acknowledging_through_the_page(client, world):
    notice = publish_notice(teams=[world.team_a1], questions=[QUESTION])
    client.force_login(world.agent_a1.user)
    page = client.get(notice.url)
    assert page.status_code == 200
    assert "7일" in page.content.decode()
    assert '"correct"' not in page.content.decode()  # the answer never reaches the browser
    url = reverse("notices:acknowledge", args=[notice.pk])
    wrong = client.post(url, {"revision": notice.live_revision_id, "q0": "0"}, follow=True)
    assert wrong.redirect_chain == [(notice.url + "#acknowledge", 303)]
    assert not Acknowledgement.objects.exists()
    assert "question 1" in wrong.content.decode() or "1" in wrong.content.decode()
    right = client.post(url, {"revision": notice.live_revision_id, "q0": "1"}, follow=True)
    confirmed = reverse("notices:acknowledged", args=[notice.pk])
    assert right.redirect_chain == [(confirmed, 303)]
    assert right.status_code == 200
    assert Acknowledgement.objects.get().agent == world.agent_a1
    assert 'data-testid="acknowledged"' in right.content.decode()
    assert client.get(notice.url).context["acknowledgement"] is not None


def test_a_repeat_is_told_it_was_already_confirmed_and_records_nothing(client, world):
    notice = publish_notice(teams=[world.team_a1], questions=[QUESTION])
    first = ack(notice, world.agent_a1, answers={"0": ["1"]}).acknowledgement
    client.force_login(world.agent_a1.user)
    url = reverse("notices:acknowledge", args=[notice.pk])
    confirmed = reverse("notices:acknowledged", args=[notice.pk])
    # The same form again, and an old tab's form with a wrong answer: both are repeats.
    for answer in ("1", "0"):
        response = client.post(url, {"revision": notice.live_revision_id, "q0": answer})
        assert (response.status_code, response["Location"]) == (303, confirmed)
        page = client.get(confirmed).content.decode()
        assert "이미 이 버전을 확인하셨습니다." in page  # You had already confirmed this version.
    assert list(Acknowledgement.objects.values_list("pk", flat=True)) == [first.pk]
    assert AuditRecord.objects.count() == 1


def _agent_opens(client, agent, notice):
    """Signed in, the notice opened (its delivery marked read, the session saved: the
    session is written at most once a minute)."""
    client.force_login(agent.user)
    assert client.get(notice.url).status_code == 200


@pytest.mark.parametrize(
    ("opened", "statements"),
    [pytest.param(True, 9, id="after-opening-it"), pytest.param(False, 10, id="unread")],
)
def test_an_acknowledgement_takes_a_fixed_number_of_statements(
    client, world, eager_celery, django_capture_on_commit_callbacks, django_assert_num_queries,
    opened, statements,
):  # fmt: skip
    """Session, user, the notice with its versions, the agent's deliveries with their
    profile; then SAVEPOINT (BEGIN outside tests), audit record, the personal details
    beside it, acknowledgement, RELEASE (COMMIT). A delivery not yet read is marked in the
    same transaction: +1. The same on PostgreSQL and SQLite."""
    with django_capture_on_commit_callbacks(execute=True):
        notice = publish_notice(teams=[world.team_a1], questions=[QUESTION])
    if opened:
        _agent_opens(client, world.agent_a1, notice)
    else:
        client.force_login(world.agent_a1.user)
        client.get("/")  # the session saved: it is written at most once a minute
    url = reverse("notices:acknowledge", args=[notice.pk])
    with django_assert_num_queries(statements):
        response = client.post(url, {"revision": notice.live_revision_id, "q0": "1"})
    assert response.status_code == 303
    assert Delivery.objects.get(agent=world.agent_a1).read_at is not None
    # A repeat is settled by the unique constraint: its transaction rolls back (in tests,
    # to a savepoint, then released), and the acknowledgement it ran into is read.
    with django_assert_num_queries(11):
        response = client.post(url, {"revision": notice.live_revision_id, "q0": "1"})
    assert response.status_code == 303
    assert Acknowledgement.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_an_acknowledgement_is_one_transaction_and_a_refusal_none(client, world, eager_celery):
    """Outside a test's transaction, as in production (no ATOMIC_REQUESTS): every write
    of an acknowledgement is between one BEGIN and its COMMIT; a refusal writes nothing,
    and a repeat's transaction is rolled back."""
    assert not connection.settings_dict["ATOMIC_REQUESTS"]
    notice = publish_notice(teams=[world.team_a1], questions=[QUESTION])
    _agent_opens(client, world.agent_a1, notice)
    url = reverse("notices:acknowledge", args=[notice.pk])

    def post(answer):
        with CaptureQueriesContext(connection) as captured:
            client.post(url, {"revision": notice.live_revision_id, "q0": answer})
        return [query["sql"].split()[0].upper() for query in captured]

    writes = {"INSERT", "UPDATE", "DELETE", "REPLACE"}
    verbs = post("0")  # a wrong answer
    assert not {"BEGIN", "COMMIT", *writes} & set(verbs), verbs
    verbs = post("1")
    assert verbs.count("BEGIN") == verbs.count("COMMIT") == 1, verbs
    begin, commit = verbs.index("BEGIN"), verbs.index("COMMIT")
    # The audit record, the personal details beside it, the acknowledgement.
    assert [verb for verb in verbs if verb in writes] == ["INSERT"] * 3, verbs
    assert all(begin < i < commit for i, verb in enumerate(verbs) if verb in writes), verbs
    verbs = post("1")  # a repeat
    assert "COMMIT" not in verbs and verbs.count("ROLLBACK") == 1, verbs
    rollback = verbs.index("ROLLBACK")
    assert all(verbs.index("BEGIN") < i < rollback for i, v in enumerate(verbs) if v in writes)
    assert Acknowledgement.objects.count() == AuditRecord.objects.count() == 1


def test_the_confirmation_page_shows_what_was_attested(client, world, django_assert_num_queries):
    from django.utils import timezone

    notice = publish_notice(teams=[world.team_a1])
    record = ack(notice, world.agent_a1).acknowledgement
    client.force_login(world.agent_a1.user)
    url = reverse("notices:acknowledged", args=[notice.pk])
    client.get(url)  # warm up: session (saved at most once a minute), site root paths
    # Session, user, scope (groups, profile), the acknowledgement with its notice,
    # versions and audit record, the header's admin link (is the user vendor-side?), and
    # the notices still waiting for the agent (none).
    with django_assert_num_queries(7):
        response = client.get(url)
    body = response.content.decode()
    assert "확인 완료" in body
    assert notice.title in body
    assert "버전 1" in body
    assert timezone.localtime(record.acknowledged_at).strftime("%Y-%m-%d %H:%M") in body
    assert record.statement in body
    assert record.audit_record.record_hash[:12] in body
    assert f'href="{notice.url}"' in body
    assert 'href="/"' in body
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Confirmed" in english and "Version 1" in english


def test_the_confirmation_page_leads_to_the_next_notice_waiting(
    client, world, eager_celery, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        later = publish_notice("다음 달 프로모션", teams=[world.team_a1], due_in=timedelta(days=9))
        sooner = publish_notice("배송 지연 안내", teams=[world.team_a1], due_in=timedelta(days=2))
        done = publish_notice("환불 정책 변경", teams=[world.team_a1])
    ack(done, world.agent_a1)
    client.force_login(world.agent_a1.user)
    body = client.get(reverse("notices:acknowledged", args=[done.pk])).content.decode()
    assert "확인을 기다리는 공지가 2건 더 있습니다." in body
    assert f'href="{sooner.url}" data-testid="next-notice-link"' in body  # the sooner due
    assert "다음 공지: 배송 지연 안내" in body
    ack(sooner, world.agent_a1)
    ack(later, world.agent_a1)
    body = client.get(reverse("notices:acknowledged", args=[later.pk])).content.decode()
    assert "확인이 필요한 공지를 모두 확인했습니다." in body
    assert "next-notice-link" not in body


def test_the_confirmation_page_is_only_the_agents_own(client, world):
    notice = publish_notice(everyone=True)
    ack(notice, world.agent_a1)
    foreign = publish_notice("다른 협력사 공지", vendors=[world.vendor_b])
    ack(foreign, world.agent_b1)
    url = reverse("notices:acknowledged", args=[notice.pk])
    # Not acknowledged by them (a colleague, their lead, their manager, client staff,
    # another vendor's agent): nothing to show, whoever may otherwise see agent A's.
    for user in (
        world.agent_a2.user,
        world.lead_a1.user,
        world.manager_a.user,
        world.client_manager,
        world.agent_b1.user,
    ):
        client.force_login(user)
        assert client.get(url).status_code == 404, user
    client.force_login(world.agent_a1.user)
    assert client.get(url).status_code == 200
    for other in (foreign.pk, notice.pk + 999):
        assert client.get(reverse("notices:acknowledged", args=[other])).status_code == 404
    assert client.post(url).status_code == 405
    client.logout()
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_an_agent_acknowledges_only_for_themselves(client, world):
    notice = publish_notice(teams=[world.team_a1])
    client.force_login(world.agent_b1.user)
    url = reverse("notices:acknowledge", args=[notice.pk])
    response = client.post(url, {"revision": notice.live_revision_id, "agent": world.agent_a1.pk})
    assert response.status_code == 404
    assert client.get(notice.url).status_code == 404
    assert not Acknowledgement.objects.exists()


def test_acknowledging_needs_a_post_with_csrf(world):
    from django.test import Client

    notice = publish_notice(teams=[world.team_a1])
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.agent_a1.user)
    url = reverse("notices:acknowledge", args=[notice.pk])
    assert client.get(url).status_code == 405
    assert client.post(url, {"revision": notice.live_revision_id}).status_code == 403


def test_after_a_material_change_the_agent_sees_what_changed(client, world):
    notice = publish_notice(teams=[world.team_a1])
    ack(notice, world.agent_a1)
    publish_again(notice, material=True, changes="<p>14일 이내 환불 가능합니다.</p>")
    client.force_login(world.agent_a1.user)
    body = client.get(notice.url).content.decode()
    assert 'data-testid="changes"' in body
    assert "14" in body
    assert 'data-testid="acknowledge-button"' in body


def test_a_notice_that_ended_or_was_withdrawn_takes_no_acknowledgement(world):
    from datetime import timedelta

    from django.utils import timezone, translation

    ended = publish_notice(
        teams=[world.team_a1], effective_until=timezone.now() - timedelta(minutes=1)
    )
    expired = publish_notice(teams=[world.team_a1])
    # Past its expiry, before beat's publish_scheduled has marked it expired.
    expired.expire_at = timezone.now() - timedelta(minutes=1)
    expired.save()
    withdrawn = publish_notice(teams=[world.team_a1])
    withdrawn.unpublish()
    with translation.override("en"):
        for notice, reason in (
            (ended, "has ended"),
            (expired, "withdrawn"),
            (withdrawn, "withdrawn"),
        ):
            with pytest.raises(AcknowledgementRefused, match=reason):
                ack(notice, world.agent_a1)
    assert not Acknowledgement.objects.exists()
    assert not AuditRecord.objects.exists()


def test_the_page_of_an_ended_notice_says_so_and_refuses(
    client, world, eager_celery, django_capture_on_commit_callbacks
):
    from datetime import timedelta

    from django.utils import timezone

    with django_capture_on_commit_callbacks(execute=True):
        notice = publish_notice(teams=[world.team_a1])
    notice.effective_until = timezone.now() - timedelta(minutes=1)
    notice.save_revision().publish()  # a correction: not material
    client.force_login(world.agent_a1.user)
    page = client.get(notice.url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-testid="acknowledge-closed"' in page
    assert 'data-testid="acknowledge-button"' not in page
    url = reverse("notices:acknowledge", args=[notice.pk])
    response = client.post(url, {"revision": notice.live_revision_id}, follow=True)
    assert response.redirect_chain == [(notice.url + "#acknowledge", 303)]
    assert response.status_code == 200
    assert not Acknowledgement.objects.exists()

    # Withdrawn: whoever it reached is told, and sent home; nobody else learns it existed.
    revision = notice.live_revision_id
    notice.unpublish()
    response = client.post(url, {"revision": revision})
    assert response.status_code == 303
    assert response["Location"] == "/"
    client.force_login(world.agent_b1.user)
    assert client.post(url, {"revision": revision}).status_code == 404
    assert not Acknowledgement.objects.exists()
