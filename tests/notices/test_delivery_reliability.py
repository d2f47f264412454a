"""Delivery with real parts: a Celery worker subprocess, the configured broker, the
database and an aiosmtpd SMTP server. Nothing lost, nothing duplicated.

The worker-loss and broker-outage tests need a broker with redelivery, Redis or RabbitMQ
(``CELERY_BROKER_URL=redis://…`` or ``amqp://…``; ``.ci/run`` runs this module on each):
the filesystem broker of a first run has no redelivery to prove.
"""

import asyncio
import http.client
import os
import signal
import time
import urllib.error
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings
from django.db import connection

from notices.models import Acknowledgement, Delivery, EmailStatus, NoticeDispatch
from notices.tasks import relay_dispatches
from portal.celery import app
from tests.factories import make_agent
from tests.smtp import SmtpInbox, free_port
from tests.worker import celery_worker, wait_for

from .builders import publish_notice

pytestmark = [
    pytest.mark.reliability,
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True),
]

needs_redelivery = pytest.mark.skipif(
    not settings.CELERY_BROKER_URL.startswith(("redis://", "amqp://")),
    reason="needs a broker with redelivery (CELERY_BROKER_URL=redis://… or amqp://…), "
    "as .ci/run sets",
)
needs_postgres = pytest.mark.skipif(
    "postgres" not in os.environ.get("DATABASE_URL", ""),
    reason="needs PostgreSQL (DATABASE_URL=postgres://…) for concurrent writers",
)


class SlowInbox(SmtpInbox):
    """A mail server that takes a moment per message, so a fan-out can be interrupted."""

    def __init__(self, delay: float = 0.0):
        super().__init__()
        self.delay = delay

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture
def smtp():
    from aiosmtpd.controller import Controller

    inbox = SlowInbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    inbox.port = port
    yield inbox
    controller.stop()


def worker_env(smtp, **extra):
    return {"EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(smtp.port), **extra}


def message_ids_by_recipient(inbox) -> dict[str, Counter]:
    seen: dict[str, Counter] = {}
    for message in inbox.parsed():
        seen.setdefault(message["To"], Counter())[message["Message-ID"]] += 1
    return seen


def many_agents(world, count):
    return [make_agent(world.team_a1) for _ in range(count)]


def test_a_published_notice_reaches_each_agent_once_by_email(world, smtp):
    with celery_worker("notices", extra_env=worker_env(smtp)) as worker:
        notice = publish_notice(vendors=[world.vendor_a])
        wait_for(lambda: len(smtp.messages) >= 4, timeout=60, worker=worker)
        wait_for(
            lambda: NoticeDispatch.objects.filter(status="done").exists(), timeout=30, worker=worker
        )
    deliveries = Delivery.objects.unscoped().filter(notice=notice)
    assert deliveries.count() == 4
    assert set(deliveries.values_list("email_status", flat=True)) == {EmailStatus.SENT}
    recipients = sorted(m["To"] for m in smtp.parsed())
    assert recipients == sorted(
        p.user.email for p in (world.agent_a1, world.agent_a2, world.lead_a1, world.manager_a)
    )
    message = smtp.parsed()[0]
    assert message.is_multipart()  # text and HTML
    assert notice.title in message.get_payload(0).get_payload(decode=True).decode()


@needs_redelivery
def test_killing_the_worker_mid_fan_out_loses_and_duplicates_nothing(world, smtp, settings):
    agents = many_agents(world, 120)
    smtp.delay = 0.02
    env = worker_env(smtp, NOTICE_EMAIL_CLAIM_STALE_SECONDS="1")
    with celery_worker("doomed", extra_env=env) as doomed:
        notice = publish_notice(teams=[world.team_a1])
        wait_for(lambda: len(smtp.messages) >= 30, timeout=60, worker=doomed)
        os.kill(doomed.process.pid, signal.SIGKILL)
        doomed.process.wait()
    received_at_kill = len(smtp.messages)
    audience = len(agents) + 2  # agent_a1 and the team lead are in team A1 too
    assert received_at_kill < audience

    # The beat's relay notices the stalled fan-out once it is older than the threshold.
    settings.NOTICE_DISPATCH_STALE_SECONDS = 0
    smtp.delay = 0
    with celery_worker("successor", extra_env=env) as successor:
        if settings.CELERY_BROKER_URL.startswith("amqp://"):
            # RabbitMQ handed the dead worker's unacknowledged chunk back when its
            # connection closed: the successor has it before any relay (Redis keeps it
            # for the visibility timeout, and the relay below is what recovers it there).
            handed_back = "Task notices.deliver_chunk["
            wait_for(lambda: handed_back in successor.log(), 30, worker=successor)
        time.sleep(1.5)  # let the dead worker's claims go stale
        relay_dispatches()
        wait_for(lambda: len(message_ids_by_recipient(smtp)) >= audience, 90, worker=successor)
        wait_for(
            lambda: (
                not Delivery.objects.unscoped()
                .filter(notice=notice, email_status__in=["pending", "sending"])
                .exists()
            ),
            timeout=60,
            worker=successor,
        )
    per_recipient = message_ids_by_recipient(smtp)
    assert len(per_recipient) == audience
    # Exactly one message per agent: one Message-ID each. An SMTP transaction can only
    # repeat if the kill fell between the server's "250 OK" and the database mark, which
    # is written once per batch: at most one batch is sent again, with the same ids.
    assert all(len(ids) == 1 for ids in per_recipient.values())
    assert len(smtp.messages) <= audience + settings.NOTICE_EMAIL_MARK_BATCH
    deliveries = Delivery.objects.unscoped().filter(notice=notice)
    assert deliveries.count() == audience
    assert deliveries.values("agent").distinct().count() == audience


@needs_redelivery
def test_a_publish_while_the_broker_is_down_is_delivered_once_it_is_back(
    world, smtp, settings, caplog
):
    real_url = app.conf.broker_url
    _use_broker(nobody_listening(real_url))
    try:
        started = time.monotonic()
        notice = publish_notice(vendors=[world.vendor_b])
        assert time.monotonic() - started < 10
        assert notice.live
        dispatch = NoticeDispatch.objects.get()
        assert dispatch.status == NoticeDispatch.Status.PENDING
        assert "broker unreachable" in caplog.text
    finally:
        _use_broker(real_url)
    settings.NOTICE_RELAY_GRACE_SECONDS = 0
    with celery_worker("after-outage", extra_env=worker_env(smtp)) as worker:
        assert relay_dispatches() == 1
        wait_for(lambda: len(smtp.messages) >= 2, timeout=60, worker=worker)
        wait_for(
            lambda: NoticeDispatch.objects.filter(status="done").exists(), timeout=30, worker=worker
        )
        assert relay_dispatches() == 0
    recipients = sorted(m["To"] for m in smtp.parsed())
    assert recipients == sorted([world.agent_b1.user.email, world.manager_b.user.email])


@needs_postgres
def test_200_concurrent_acknowledgements_make_one_per_agent(world, live_server, eager_celery):
    from django.test import Client

    agents = many_agents(world, 100)
    notice = publish_notice(teams=[world.team_a1])
    token = "a" * 32  # an unmasked CSRF secret, sent as both cookie and form field
    sessions = []
    for agent in agents:
        client = Client()
        client.force_login(agent.user)
        sessions.append(client.cookies[settings.SESSION_COOKIE_NAME].value)
    url = f"{live_server.url}/notices/{notice.pk}/acknowledge/"
    body = f"csrfmiddlewaretoken={token}&revision={notice.live_revision_id}".encode()

    def post(session):
        request = urllib.request.Request(url, data=body, method="POST")  # noqa: S310 - http
        request.add_header("Content-Type", "application/x-www-form-urlencoded")
        request.add_header("Cookie", f"{settings.SESSION_COOKIE_NAME}={session}; csrftoken={token}")
        opener = urllib.request.build_opener(NoRedirect)
        for attempt in range(3):
            try:
                return opener.open(request, timeout=60).status
            except urllib.error.HTTPError as error:
                return error.code
            except (ConnectionResetError, http.client.RemoteDisconnected):
                # The test server accepts 5 connections at a time and may reset one of
                # 50 arriving at once: sent again, as a browser would (a repeat is
                # answered as one, so the counts below still hold).
                if attempt == 2:
                    raise

    connection.close()  # the server threads open their own connections
    with ThreadPoolExecutor(max_workers=50) as pool:
        statuses = list(pool.map(post, sessions + sessions))
    assert len(statuses) == 200
    assert all(status < 500 for status in statuses), Counter(statuses)
    assert Counter(statuses) == {303: 200}
    acks = Acknowledgement.objects.unscoped().filter(notice=notice)
    assert acks.count() == 100
    assert acks.values("agent").distinct().count() == 100
    from portal.audit.chain import seal, verify_chain

    assert seal() == 100
    report = verify_chain()
    assert report.intact and report.records == 100


def nobody_listening(url: str) -> str:
    """A broker URL of the same kind as ``url`` (its credentials and database or vhost)
    on a local port where nothing listens."""
    parts = urlsplit(url)
    credentials, _, _ = parts.netloc.rpartition("@")
    netloc = f"{credentials}@" if credentials else ""
    return urlunsplit(parts._replace(netloc=f"{netloc}127.0.0.1:{free_port()}"))


def _use_broker(url):
    app.conf.update(broker_url=url, broker_write_url=url, broker_read_url=url)
    app._pool = None
    app.amqp._producer_pool = None


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None
