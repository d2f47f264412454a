"""Nudges on beat: each message once, to the right people, in their language."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from portal.publishing import publish_again
from tests.factories import make_client_staff
from training.builders import pass_course
from training.models import CohortAlert, CourseProgress, ReadinessSnapshot, TrainingNudge
from training.nudges import (
    ask_for_review,
    record_snapshots,
    send_cohort_alerts,
    send_training_nudges,
)
from training.versions import latest_version

from .builders import publish_course

pytestmark = pytest.mark.django_db


def go_live_in(days, *agents):
    for agent in agents:
        agent.go_live_date = timezone.localdate() + timedelta(days=days)
        agent.save()


def test_agents_with_training_missing_are_reminded_once_per_step(world):
    course = publish_course()
    go_live_in(6, world.agent_a1, world.agent_a2)
    go_live_in(20, world.agent_b1)  # too early to nudge
    pass_course(course, world.agent_a2)
    assert send_training_nudges() == 1
    assert mail.outbox[0].to == [world.agent_a1.user.email]
    assert course.title in mail.outbox[0].body
    assert mail.outbox[0].alternatives  # HTML too
    assert send_training_nudges() == 0  # the same step never twice
    # Three days later the next step (D-3) is due.
    assert send_training_nudges(timezone.localdate() + timedelta(days=3)) == 1
    assert sorted(TrainingNudge.objects.values_list("days_before", flat=True)) == [3, 7]


def test_nudges_are_in_the_agents_language(world):
    publish_course()
    world.agent_a1.user.language = "en"
    world.agent_a1.user.save()
    go_live_in(2, world.agent_a1)
    send_training_nudges()
    assert mail.outbox[0].subject.startswith("Go-live in 2 days")


def test_managers_hear_when_a_cohort_is_ready_and_when_it_is_at_risk(world):
    course = publish_course()
    client_manager = world.client_manager
    go_live_in(10, world.agent_a1)  # team A1: ready
    go_live_in(2, world.agent_a2)  # team A2: not ready, two days out
    go_live_in(10, world.agent_b1)  # team B1: not ready, in good time
    pass_course(course, world.agent_a1)
    assert send_cohort_alerts() == 4  # 2 alerts x (vendor A's manager + client manager)
    kinds = {(a.team_id, a.kind) for a in CohortAlert.objects.all()}
    assert kinds == {(world.team_a1.pk, "ready"), (world.team_a2.pk, "at_risk")}
    recipients = sorted(tuple(m.to) for m in mail.outbox)
    assert recipients == sorted([(world.manager_a.user.email,), (client_manager.email,)] * 2)
    assert send_cohort_alerts() == 0
    assert world.manager_b.user.email not in {m.to[0] for m in mail.outbox}


def test_a_material_revision_asks_those_who_finished_to_review(world):
    course = publish_course(lessons=2)
    pass_course(course, world.agent_a1)
    lessons = list(course.lessons.raw_data)
    lessons[0]["value"]["title"] = "1강: 기준 변경"
    publish_again(course, material=True, lessons=lessons)
    version = latest_version(course)
    mail.outbox.clear()
    assert ask_for_review(version.pk) == 1
    assert "1강: 기준 변경" in mail.outbox[0].body
    assert ask_for_review(version.pk) == 0
    progress = CourseProgress.objects.get(agent=world.agent_a1)
    assert progress.review_requested_version == version.number


def test_daily_snapshots_are_one_row_per_cohort_and_day(world):
    course = publish_course()
    go_live_in(5, world.agent_a1, world.agent_a2)
    assert record_snapshots() == 2
    pass_course(course, world.agent_a1)
    assert record_snapshots() == 2
    rows = {s.team_id: (s.agents, s.ready) for s in ReadinessSnapshot.objects.all()}
    assert rows == {world.team_a1.pk: (1, 1), world.team_a2.pk: (1, 0)}


def test_client_managers_without_email_are_skipped(world):
    publish_course()
    make_client_staff(email="")
    go_live_in(1, world.agent_a1)
    send_cohort_alerts()
    assert all(m.to[0] for m in mail.outbox)
