"""Two of everything: two Celery workers and two web servers on one database and one
broker, as a deployment scaled out runs. A notice's fan-out, its reminders, its
acknowledgements and the sealing of their audit records each happen once, whichever
process gets there first.

Needs PostgreSQL (concurrent writers) and runs on Redis and on RabbitMQ (``.ci/run``).
"""

import re
import urllib.error
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client

from notices.models import (
    Acknowledgement,
    Delivery,
    EmailStatus,
    NoticeDispatch,
    Reminder,
)
from notices.tasks import dispatch_notice, send_due_reminders
from portal.audit.chain import verify_chain
from portal.audit.models import AuditRecord, ChainEntry
from portal.audit.tasks import seal_records
from tests.factories import make_agent
from tests.smtp import smtp_server
from tests.web import web_servers
from tests.worker import celery_workers, wait_for

from .builders import publish_notice

pytestmark = [
    pytest.mark.reliability,
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL (DATABASE_URL=postgres://…): SQLite has one writer at a time",
    ),
]

CSRF = "c" * 32  # an unmasked CSRF secret, sent as both cookie and form field
REMINDER = "<notice-reminder-"  # how a reminder's Message-ID starts (notices.delivery)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def post(url: str, session: str, body: bytes) -> int:
    request = urllib.request.Request(url, data=body, method="POST")  # noqa: S310 - http
    request.add_header("Content-Type", "application/x-www-form-urlencoded")
    request.add_header("Cookie", f"{settings.SESSION_COOKIE_NAME}={session}; csrftoken={CSRF}")
    try:
        return urllib.request.build_opener(NoRedirect).open(request, timeout=60).status
    except urllib.error.HTTPError as error:
        return error.code


def signed_in(agent) -> str:
    client = Client()
    client.force_login(agent.user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def messages_by_recipient(inbox, reminders: bool) -> dict[str, Counter]:
    """Each recipient's Message-IDs, counted: the notice's emails or its reminders."""
    seen: dict[str, Counter] = {}
    for message in inbox.parsed():
        if message["Message-ID"].startswith(REMINDER) == reminders:
            seen.setdefault(message["To"], Counter())[message["Message-ID"]] += 1
    return seen


def ran(worker, task: str) -> bool:
    """The worker has run ``task`` to its end at least once."""
    return re.search(rf"Task {re.escape(task)}\[[\w-]+\] succeeded", worker.log()) is not None


def on_each(workers, task, *args) -> None:
    """Run ``task`` once on each worker, at once (each has a queue of its own)."""
    for worker in workers:
        task.apply_async(args, queue=worker.queue)


def test_two_workers_and_two_web_servers_do_everything_exactly_once(world, settings):
    # Four processes start first; records waiting for them are not what is tested.
    settings.AUDIT_MERGE_DELAY_SECONDS = 600
    agents = [make_agent(world.team_a1) for _ in range(40)]
    audience = len(agents) + 2  # agent_a1 and the team lead are in team A1 too
    sessions = [signed_in(agent) for agent in [*agents, world.agent_a1]]

    with smtp_server() as (inbox, port), web_servers(2) as webs:
        env = {"EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(port)}
        with celery_workers(["one", "two"], extra_env=env, own_queues=True) as workers:
            # Fan-out: the publish queues its dispatch, and relays racing it queue it
            # again on each worker: the same audience is fanned out three times at once.
            notice = publish_notice(teams=[world.team_a1], due_in=timedelta(hours=2))
            dispatch = NoticeDispatch.objects.get()
            on_each(workers, dispatch_notice, dispatch.pk)
            wait_for(
                lambda: NoticeDispatch.objects.filter(pk=dispatch.pk, status="done").exists(),
                timeout=60,
                worker=workers[0],
            )
            wait_for(
                lambda: all(ran(worker, "notices.dispatch_notice") for worker in workers),
                timeout=30,
                worker=workers[1],
            )
            emails = messages_by_recipient(inbox, reminders=False)
            assert len(emails) == audience
            assert all(list(ids.values()) == [1] for ids in emails.values())
            deliveries = Delivery.objects.unscoped().filter(notice=notice)
            assert deliveries.count() == deliveries.values("agent").distinct().count()
            assert deliveries.count() == audience
            assert set(deliveries.values_list("email_status", flat=True)) == {EmailStatus.SENT}

            # Reminders: beat's task, due for everyone, run by both workers at once.
            on_each(workers, send_due_reminders)
            wait_for(
                lambda: all(ran(worker, "notices.send_due_reminders") for worker in workers),
                timeout=60,
                worker=workers[0],
            )
            reminders = Reminder.objects.filter(delivery__notice=notice)
            assert reminders.count() == audience
            assert not reminders.filter(sent_at__isnull=True).exists()
            assert set(reminders.values_list("kind", flat=True)) == {Reminder.Kind.BEFORE_DUE}
            reminded = messages_by_recipient(inbox, reminders=True)
            assert len(reminded) == audience
            assert all(list(ids.values()) == [1] for ids in reminded.values())

            # Acknowledgements: every agent's confirmation posted through both web servers
            # at once, as a double click that two load-balanced requests carry.
            body = f"csrfmiddlewaretoken={CSRF}&revision={notice.live_revision_id}".encode()
            posts = [
                (f"{web.url}/notices/{notice.pk}/acknowledge/", session)
                for session in sessions
                for web in webs
            ]
            connection.close()  # the test's own connection sits out the rush
            with ThreadPoolExecutor(max_workers=2 * len(webs) * 4) as pool:
                statuses = list(pool.map(lambda job: post(*job, body), posts))
            assert Counter(statuses) == {303: len(posts)}, [web.log() for web in webs]
            acks = Acknowledgement.objects.unscoped().filter(notice=notice)
            assert acks.count() == acks.values("agent").distinct().count() == len(sessions)

            # Sealing: beat's seal on both workers at once, in small batches that interleave.
            on_each(workers, seal_records, 10)
            wait_for(lambda: not verify_chain().pending, timeout=60, worker=workers[0])
            wait_for(
                lambda: all(ran(worker, "audit.seal") for worker in workers),
                timeout=30,
                worker=workers[0],
            )

    report = verify_chain()
    assert report.intact, report.problems
    assert report.records == AuditRecord.objects.count() == ChainEntry.objects.count()
    entries = ChainEntry.objects.all()
    assert entries.values("record").distinct().count() == report.records
    sealed = set(entries.values_list("record_id", flat=True))
    assert set(acks.values_list("audit_record_id", flat=True)) <= sealed
    assert len(inbox.messages) == 2 * audience  # each notice email and each reminder once
