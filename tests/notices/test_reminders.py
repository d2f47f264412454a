"""Reminders before and at the due date, digests to managers: each exactly once."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from notices.models import Delivery, EscalationDigest, Reminder
from notices.reminders import send_digests, send_manual_reminders, send_scheduled_reminders

from .builders import ack, publish_notice

pytestmark = pytest.mark.django_db


@pytest.fixture
def delivered(world, eager_celery, django_capture_on_commit_callbacks):
    def run(**kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            notice = publish_notice(**kwargs)
        mail.outbox.clear()
        return notice

    return run


def test_a_reminder_before_the_due_date_goes_once_to_those_who_have_not_acknowledged(
    world, delivered
):
    notice = delivered(teams=[world.team_a1], due_in=timedelta(hours=5))
    ack(notice, world.lead_a1)
    assert send_scheduled_reminders() == 1
    assert [m.to[0] for m in mail.outbox] == [world.agent_a1.user.email]
    assert "[" in mail.outbox[0].subject
    assert send_scheduled_reminders() == 0
    assert len(mail.outbox) == 1


def test_no_reminder_while_the_due_date_is_far(world, delivered):
    delivered(teams=[world.team_a1], due_in=timedelta(days=5))
    assert send_scheduled_reminders() == 0
    assert not Reminder.objects.exists()


def test_at_the_due_date_a_second_reminder_then_never_again(world, delivered):
    notice = delivered(teams=[world.team_a1], due_in=timedelta(hours=5))
    send_scheduled_reminders()
    later = notice.acknowledge_by + timedelta(minutes=5)
    assert send_scheduled_reminders(now=later) == 2
    assert send_scheduled_reminders(now=later + timedelta(hours=1)) == 0
    kinds = sorted(Reminder.objects.values_list("kind", flat=True))
    assert kinds == ["at_due", "at_due", "before_due", "before_due"]


def test_overdue_agents_go_to_their_lead_and_vendor_manager_once_a_day(world, delivered):
    notice = delivered(vendors=[world.vendor_a], due_in=timedelta(hours=-2))
    ack(notice, world.agent_a2)
    assert send_digests() == 2
    recipients = sorted(m.to[0] for m in mail.outbox)
    assert recipients == sorted([world.lead_a1.user.email, world.manager_a.user.email])
    to_lead = next(m for m in mail.outbox if m.to[0] == world.lead_a1.user.email)
    assert world.agent_a1.user.name in to_lead.body
    assert world.agent_a2.user.name not in to_lead.body  # acknowledged
    to_manager = next(m for m in mail.outbox if m.to[0] == world.manager_a.user.email)
    assert world.agent_a1.user.name in to_manager.body
    assert send_digests() == 0
    assert EscalationDigest.objects.count() == 2
    tomorrow = timezone.now() + timedelta(days=1)
    assert send_digests(now=tomorrow) == 2


def test_other_vendors_managers_hear_nothing(world, delivered):
    delivered(vendors=[world.vendor_a], due_in=timedelta(hours=-2))
    send_digests()
    assert world.manager_b.user.email not in [m.to[0] for m in mail.outbox]


def test_remind_now_at_most_once_an_hour(world, delivered):
    notice = delivered(teams=[world.team_a1])
    ids = list(Delivery.objects.filter(notice=notice).values_list("pk", flat=True))
    assert send_manual_reminders(ids) == 2
    assert send_manual_reminders(ids) == 0
    assert len(mail.outbox) == 2


def test_an_expired_promotion_is_never_reminded(world, delivered):
    from django.utils import timezone

    delivered(
        teams=[world.team_a1],
        due_in=timedelta(hours=-2),
        effective_until=timezone.now() - timedelta(hours=1),
    )
    assert send_scheduled_reminders() == 0
    assert send_digests() == 0
