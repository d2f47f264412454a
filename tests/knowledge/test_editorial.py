"""Editors draft, publishers approve; scheduled publishing runs from the beat schedule."""

import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from home.site_tree import ensure_site_tree
from knowledge.editorial import ensure_editorial_workflow
from knowledge.models import ArticlePage
from portal.organisation.roles import Role, ensure_content_permissions
from tests.factories import make_client_staff
from tests.knowledge.builders import section
from tests.worker import celery_worker, wait_for


@pytest.mark.django_db
def test_an_editor_submits_and_a_publisher_approves():
    editor = make_client_staff(Role.CLIENT_EDITOR)
    publisher = make_client_staff(Role.CLIENT_PUBLISHER)
    payments = section("결제")
    draft = ArticlePage(title="새 환불 기준", body=[("text", "<p>초안</p>")], live=False)
    payments.add_child(instance=draft)
    draft.save_revision(user=editor)

    assert not draft.permissions_for_user(editor).can_publish()
    assert draft.permissions_for_user(publisher).can_publish()

    workflow = draft.get_workflow()
    assert workflow is not None and workflow.name.startswith("검토 후 게시")
    state = workflow.start(draft, editor)
    task_state = state.current_task_state
    task = task_state.task.specific
    assert task.get_actions(draft, publisher)
    assert not task.get_actions(draft, editor)
    task.on_action(task_state, publisher, "approve")

    draft.refresh_from_db()
    assert draft.live


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_scheduled_publishing_runs_from_the_beat_schedule():
    ensure_site_tree()
    ensure_content_permissions()
    ensure_editorial_workflow()
    entry = next(
        e
        for e in settings.CELERY_BEAT_SCHEDULE.values()
        if e["task"] == "knowledge.publish_scheduled"
    )
    assert entry["schedule"] <= 60

    payments = section("결제")
    page = ArticlePage(title="12월 프로모션 안내", body=[("text", "<p>12월 행사</p>")], live=False)
    payments.add_child(instance=page)
    page.go_live_at = timezone.now() + timedelta(seconds=2)
    page.save_revision().publish()
    page.refresh_from_db()
    assert not page.live  # scheduled, not yet live
    time.sleep(2.5)
    assert not ArticlePage.objects.get(pk=page.pk).live  # nothing publishes it but the task

    from portal.celery import app

    with celery_worker("beat-entry") as worker:
        app.send_task(entry["task"])
        wait_for(lambda: ArticlePage.objects.get(pk=page.pk).live, worker=worker)
