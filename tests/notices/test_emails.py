"""What a notice email says: who sends it, what is asked and by when, where it links."""

from datetime import UTC, datetime
from email import message_from_bytes
from email.header import decode_header, make_header
from email.utils import parseaddr

import pytest
from django.core import mail
from django.utils.html import escape

from home.management.commands.run_portal import children_environment
from notices.delivery import create_deliveries, send_delivery_emails
from notices.models import Delivery
from notices.versions import current_material_version
from portal.settings.env import with_sender_name
from tests.factories import make_agent
from tests.smtp import smtp_server

from .builders import QUESTION, publish_notice

pytestmark = pytest.mark.django_db


def email_of(notice, agent):
    version = current_material_version(notice)
    create_deliveries(version, [agent.pk])
    mail.outbox.clear()
    send_delivery_emails(
        list(Delivery.objects.unscoped().filter(version=version).values_list("pk", flat=True))
    )
    (message,) = mail.outbox
    return message


def test_an_urgent_notice_with_a_check_says_so_in_korean(world, settings):
    settings.DEFAULT_FROM_EMAIL = with_sender_name("portal@example.com", "상담 지식 포털")
    notice = publish_notice(
        teams=[world.team_a1], priority="urgent", questions=[QUESTION, QUESTION], due_in=None
    )
    notice.acknowledge_by = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)  # 18:00 in Seoul
    notice.save_revision().publish()
    message = email_of(notice, world.agent_a1)

    assert "[긴급]" in message.subject
    assert (
        "요청 사항: 2026-12-01 18:00까지 읽고 이해도 확인 2문항에 답한 뒤 확인해 주세요."
        in message.body
    )
    html = message.alternatives[0][0]
    assert "이해도 확인 2문항" in html
    assert f"http://testserver{notice.url}" in message.body
    assert parseaddr(message.from_email) == ("상담 지식 포털", "portal@example.com")
    # Sent, the name is encoded in the header and reads back as written.
    assert "=?utf-8?" in message.message()["From"]


def test_what_is_asked_in_english_and_when_nothing_is(world):
    world.agent_a1.user.language = "en"
    world.agent_a1.user.save()
    notice = publish_notice(teams=[world.team_a1], questions=[QUESTION], due_in=None)
    assert (
        "Asked of you: read it, answer the one-question check of understanding and confirm."
        in email_of(notice, world.agent_a1).body
    )
    fyi = publish_notice(
        "안내만", teams=[world.team_a1], acknowledgement_required=False, due_in=None
    )
    assert "Please read it; no confirmation is asked." in email_of(fyi, world.agent_a1).body


@pytest.mark.parametrize(
    ("address", "name", "sender"),
    [
        ("portal@example.com", "상담 지식 포털", '"상담 지식 포털" <portal@example.com>'),
        ("Help desk <help@example.com>", "상담 지식 포털", "Help desk <help@example.com>"),
        ("portal@example.com", 'say "hi"', '"say \\"hi\\"" <portal@example.com>'),
        ("portal@example.com", "", "portal@example.com"),
    ],
)
def test_a_bare_sender_address_gets_the_portals_name(address, name, sender):
    assert with_sender_name(address, name) == sender


def test_the_demo_carries_its_port_into_email_links():
    assert children_environment({}, "127.0.0.1", 8100)["PORTAL_BASE_URL"] == "http://localhost:8100"
    assert children_environment({}, "portal.lan", 80)["PORTAL_BASE_URL"] == "http://portal.lan:80"
    kept = {"PORTAL_BASE_URL": "https://portal.example.com"}
    assert children_environment(kept, "127.0.0.1", 8100) == kept


def test_over_smtp_each_agent_gets_their_own_copy(world, settings):
    """Over SMTP, emails are mail-merged copies of one message (``MailMerge``); a name
    too long to copy exactly is built by Django instead, and reads the same."""
    settings.DEFAULT_FROM_EMAIL = with_sender_name("portal@example.com", "상담 지식 포털")
    names = ["김상담", "Lee <Jin> & Sol", "정" * 100]
    agents = [make_agent(world.team_a1) for _ in names]
    for agent, name in zip(agents, names, strict=True):
        agent.user.name = name
        agent.user.save()
    notice = publish_notice(teams=[world.team_a1])
    version = current_material_version(notice)
    create_deliveries(version, [agent.pk for agent in agents])
    deliveries = Delivery.objects.unscoped().filter(version=version, agent__in=agents)
    with smtp_server() as (inbox, port):
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
        run = send_delivery_emails(list(deliveries.values_list("pk", flat=True)))

    assert run.sent == 3
    received = {envelope.rcpt_tos[0]: envelope for envelope in inbox.messages}
    assert set(received) == {agent.user.email for agent in agents}
    for agent, name in zip(agents, names, strict=True):
        envelope = received[agent.user.email]
        assert envelope.mail_from == "portal@example.com"
        message = message_from_bytes(envelope.content)
        delivery = deliveries.get(agent=agent)
        assert message["To"] == agent.user.email
        assert message["Message-ID"] == delivery.message_id
        assert parseaddr(str(make_header(decode_header(message["From"])))) == (
            "상담 지식 포털",
            "portal@example.com",
        )
        text, html = (part.get_payload(decode=True).decode() for part in message.get_payload())
        assert name in text
        assert escape(name) in html
        assert notice.title in str(make_header(decode_header(message["Subject"])))
