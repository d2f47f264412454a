"""The daily digest to policy owners: yesterday's decisions per policy and vendor, the
amounts, refusals and agents close to the limits; once per owner and day."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from decisions.digest import send_decision_digests
from decisions.tasks import send_digests
from portal.organisation.roles import Role
from tests.factories import make_client_staff

from .builders import decide, refund_policy

pytestmark = pytest.mark.django_db


def test_owners_get_yesterdays_decisions_once_and_unowned_policies_go_to_managers(world):
    owner = make_client_staff(Role.CLIENT_EDITOR, email="owner@nuri.example")
    owned = refund_policy(content_owner=owner)
    unowned = refund_policy(title="파손 보상")
    decide(owned, world.agent_a1, amount=25000)  # near the limit
    decide(owned, world.agent_a2, amount=40000, customer="010-2")  # refused
    decide(owned, world.agent_b1, amount=5000, customer="010-3")
    decide(unowned, world.agent_a1, amount=1000)
    tomorrow = timezone.now() + timedelta(days=1)

    assert send_decision_digests(tomorrow) == 2
    sent = {message.to[0]: message for message in mail.outbox}
    to_owner = sent["owner@nuri.example"].body
    assert "배송 지연 보상" in to_owner and "파손 보상" not in to_owner
    assert world.vendor_a.name in to_owner and world.vendor_b.name in to_owner
    assert "25,000" in to_owner  # vendor A's amount granted (the refusal grants nothing)
    assert world.agent_a1.user.name in to_owner and world.agent_a2.user.name in to_owner
    assert "파손 보상" in sent[world.client_manager.email].body

    assert send_decision_digests(tomorrow) == 0
    assert len(mail.outbox) == 2


def test_a_policy_nobody_owns_reports_to_its_sections_owner_as_its_feedback_does(world):
    from tests.knowledge.builders import section

    owner = make_client_staff(Role.CLIENT_EDITOR, email="section-owner@nuri.example")
    delivery = section("배송")
    delivery.content_owner = owner
    delivery.save_revision().publish()
    decide(refund_policy(delivery), world.agent_a1)

    assert send_decision_digests(timezone.now() + timedelta(days=1)) == 1
    assert [message.to for message in mail.outbox] == [["section-owner@nuri.example"]]


def test_a_digest_the_mail_server_refuses_is_given_back_for_the_retry(world, monkeypatch):
    from django.core.mail.backends.locmem import EmailBackend

    from decisions.digest import DigestNotSent
    from decisions.models import DecisionDigest

    decide(refund_policy(), world.agent_a1)
    tomorrow = timezone.now() + timedelta(days=1)

    def refuse(self, messages):
        raise OSError("421 try again later")

    monkeypatch.setattr(EmailBackend, "send_messages", refuse)
    with pytest.raises(DigestNotSent):
        send_decision_digests(tomorrow)
    assert not DecisionDigest.objects.filter(sent_at__isnull=False).exists()
    monkeypatch.undo()
    assert send_decision_digests(tomorrow) == 1


def test_a_day_without_decisions_sends_nothing(world, eager_celery):
    decide(refund_policy(), world.agent_a1)
    assert send_digests.delay().get() == 0  # today's decisions wait for tomorrow's digest
    assert mail.outbox == []


def test_the_digest_runs_on_beat_at_the_configured_hour(settings):
    schedule = {entry["task"]: entry for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert schedule["decisions.send_digests"]["schedule"].hour == {settings.DECISION_DIGEST_HOUR}
