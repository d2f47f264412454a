"""Sending a chunk's emails: sent marks written a batch at a time, refusals and a mail
server that gives up mid-chunk settled exactly (a narrow test: a test mail backend)."""

import smtplib

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.db import connection
from django.test.utils import CaptureQueriesContext

from notices.audience import audience_agents
from notices.delivery import TemporaryEmailFailure, create_deliveries, send_delivery_emails
from notices.models import Delivery, DeliveryAttempt, EmailStatus, NoticeDispatch
from notices.tasks import deliver_chunk
from notices.versions import current_material_version
from tests.factories import make_agent

from .builders import publish_notice

pytestmark = pytest.mark.django_db


class FlakyBackend(EmailBackend):
    """The test inbox, refusing ``refused`` for good and going away at ``gone_after``."""

    refused: set[str] = set()
    gone_after: int | None = None

    def send_messages(self, messages):
        for message in messages:
            if message.to[0] in self.refused:
                raise smtplib.SMTPRecipientsRefused({message.to[0]: (550, b"no such user")})
            if self.gone_after is not None and len(mail.outbox) >= self.gone_after:
                raise smtplib.SMTPServerDisconnected("connection lost")
        return super().send_messages(messages)


@pytest.fixture
def flaky(settings):
    settings.EMAIL_BACKEND = f"{__name__}.FlakyBackend"
    FlakyBackend.refused, FlakyBackend.gone_after = set(), None
    yield FlakyBackend
    FlakyBackend.refused, FlakyBackend.gone_after = set(), None


def chunk_of(world, count):
    agents = [make_agent(world.team_a1) for _ in range(count)]
    notice = publish_notice(teams=[world.team_a1])
    version = current_material_version(notice)
    create_deliveries(version, [agent.pk for agent in agents])
    deliveries = Delivery.objects.unscoped().filter(agent__in=agents).order_by("pk")
    return list(deliveries.values_list("pk", flat=True)), agents


def delivery_updates(captured) -> int:
    return sum(1 for query in captured if query["sql"].startswith('UPDATE "notices_delivery"'))


def test_sent_marks_are_written_a_batch_at_a_time(world, flaky, settings):
    settings.NOTICE_EMAIL_MARK_BATCH = 50
    ids, _agents = chunk_of(world, 120)
    with CaptureQueriesContext(connection) as captured:
        run = send_delivery_emails(ids)
    assert (run.sent, run.failed, len(mail.outbox)) == (120, 0, 120)
    # The claim (settling those no longer reachable, then claiming the rest), then one
    # mark per 50 emails: 50, 50, 20.
    assert delivery_updates(captured) == 2 + 3
    sent = Delivery.objects.unscoped().filter(pk__in=ids)
    assert set(sent.values_list("email_status", "email_attempts")) == {(EmailStatus.SENT, 1)}
    assert not sent.filter(emailed_at__isnull=True).exists()
    assert DeliveryAttempt.objects.filter(outcome="sent").count() == 120
    # Run again: nothing is unsent, nothing is sent twice.
    assert send_delivery_emails(ids).sent == 0
    assert len(mail.outbox) == 120


def test_a_refused_address_is_failed_and_the_rest_sent(world, flaky):
    ids, agents = chunk_of(world, 5)
    flaky.refused = {agents[2].user.email}
    run = send_delivery_emails(ids)
    assert (run.sent, run.failed) == (4, 1)
    statuses = dict(
        Delivery.objects.unscoped().filter(pk__in=ids).values_list("agent_id", "email_status")
    )
    assert statuses.pop(agents[2].pk) == EmailStatus.FAILED
    assert set(statuses.values()) == {EmailStatus.SENT}
    failed = Delivery.objects.unscoped().get(agent=agents[2])
    assert "no such user" in failed.email_error and failed.emailed_at is None


def test_a_server_gone_mid_chunk_marks_what_it_took_and_releases_the_rest(world, flaky, settings):
    settings.NOTICE_EMAIL_MARK_BATCH = 50
    ids, _agents = chunk_of(world, 30)
    flaky.gone_after = 12
    with pytest.raises(TemporaryEmailFailure):
        send_delivery_emails(ids)
    rows = Delivery.objects.unscoped().filter(pk__in=ids)
    assert rows.filter(email_status=EmailStatus.SENT).count() == 12
    assert rows.filter(email_status=EmailStatus.PENDING, email_claimed_at=None).count() == 18
    # The retry sends the 18 others, once each.
    flaky.gone_after = None
    assert send_delivery_emails(ids).sent == 18
    assert len({message.to[0] for message in mail.outbox}) == len(mail.outbox) == 30


def test_agents_who_left_while_the_chunk_waited_get_no_delivery(world):
    agents = [make_agent(world.team_a1) for _ in range(3)]
    agents[0].status = "left"
    agents[0].save()
    agents[1].user.is_active = False
    agents[1].user.save()
    version = current_material_version(publish_notice(teams=[world.team_a1]))
    assert create_deliveries(version, [agent.pk for agent in agents]) == 1
    assert list(Delivery.objects.unscoped().values_list("agent_id", flat=True)) == [agents[2].pk]


def test_an_agent_who_left_after_the_delivery_was_made_is_not_emailed(world, flaky):
    ids, agents = chunk_of(world, 3)
    agents[0].status = "left"
    agents[0].save()
    agents[1].user.is_active = False
    agents[1].user.save()
    run = send_delivery_emails(ids)
    assert run.sent == 1 and [m.to for m in mail.outbox] == [[agents[2].user.email]]
    statuses = dict(
        Delivery.objects.unscoped().filter(pk__in=ids).values_list("agent_id", "email_status")
    )
    assert statuses == {
        agents[0].pk: EmailStatus.NONE,
        agents[1].pk: EmailStatus.NONE,
        agents[2].pk: EmailStatus.SENT,
    }


def test_a_fan_out_finishes_when_an_agent_left_while_it_ran(world, flaky):
    agents = [make_agent(world.team_a1) for _ in range(3)]
    notice = publish_notice(teams=[world.team_a1])
    dispatch = NoticeDispatch.objects.get(version__notice=notice)
    audience = list(audience_agents(notice).values_list("pk", flat=True))
    NoticeDispatch.objects.filter(pk=dispatch.pk).update(
        status=NoticeDispatch.Status.FANNED_OUT, audience_size=len(audience)
    )
    agents[0].status = "left"
    agents[0].save()
    deliver_chunk(dispatch.pk, audience)
    dispatch.refresh_from_db()
    assert dispatch.status == NoticeDispatch.Status.DONE
    assert dispatch.audience_size == len(audience) - 1
    assert len(mail.outbox) == len(audience) - 1
