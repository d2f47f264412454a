"""The demo's feedback: every status, and the refund period change credited to the agent
whose customers asked for it."""

import pytest

from feedback.demo import load_demo_feedback
from feedback.models import FeedbackItem, Status
from knowledge.demo import load_demo_knowledge
from notices.demo import load_demo_changes, load_demo_notices
from portal.organisation.demo import load_demo_organisation
from training.demo import load_demo_training

pytestmark = pytest.mark.django_db


def test_the_demo_feedback_tells_the_story(
    client, eager_celery, mailoutbox, django_capture_on_commit_callbacks
):
    load_demo_organisation()
    load_demo_knowledge()
    load_demo_notices()
    load_demo_training()
    load_demo_changes()
    mailoutbox.clear()
    # Nothing queued: a worker running while the demo loads emails nobody.
    with django_capture_on_commit_callbacks(execute=True) as queued:
        assert load_demo_feedback() == 12
    assert (queued, mailoutbox) == ([], [])
    assert load_demo_feedback() == 0

    assert set(FeedbackItem.objects.values_list("status", flat=True)) == set(Status.values)
    [credited] = FeedbackItem.objects.credited()
    assert credited.agent.user.username == "onc-1002"
    assert "14일" in credited.resolved_by_notice.title
    assert credited.revision_id != credited.resolved_by_revision_id
    assert credited.resolved_by_revision.object_id == str(credited.page_id)
    assert credited.answered_at >= credited.resolved_by_revision.created_at
    assert FeedbackItem.objects.filter(agent__vendor__code="HGCS").exists()

    client.force_login(credited.agent.user)
    assert client.get("/").text.count('data-testid="credit"') == 1
