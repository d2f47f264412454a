"""The demo tells one consistent story: notices are delivered and acknowledged, and a
notice about a policy and the policy it changes agree."""

import pytest
from django.core import mail

from knowledge.demo import load_demo_knowledge
from knowledge.models import AnswerPolicyPage
from notices.demo import DELAY_NOTICE, REFUND_POLICY, load_demo_changes, load_demo_notices
from notices.models import Acknowledgement, Change, ChangeNoticePage, Delivery
from notices.versions import current_material_version
from portal.audit.chain import verify_chain
from portal.organisation.demo import load_demo_organisation
from training.demo import load_demo_training
from training.models import CoursePage

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    load_demo_organisation()
    load_demo_knowledge()
    assert load_demo_notices() == 4
    assert load_demo_notices() == 0
    load_demo_training()
    assert load_demo_changes() == 2
    assert load_demo_changes() == 0


def test_the_demo_notices_are_delivered_and_agree_with_their_pages(demo):
    refund = ChangeNoticePage.objects.get(kind="policy", title__contains="7일 → 14일")
    assert current_material_version(refund).number == 2
    assert Delivery.objects.filter(version__notice__kind="launch").count() > 50
    assert Acknowledgement.objects.filter(notice=refund).exists()
    assert not Acknowledgement.objects.filter(
        version=current_material_version(refund), agent__user__username="hgcs-1002"
    ).exists()
    # The printed demo agent confirmed version 1, so they are shown what changed.
    assert Acknowledgement.objects.filter(notice=refund, agent__user__username="hgcs-1002").exists()
    assert mail.outbox
    assert verify_chain().intact

    # Each notice and the pages it changes agree (one record: the change).
    policy = AnswerPolicyPage.objects.get(external_id=REFUND_POLICY)
    done = Change.objects.get(page=policy)
    assert done.took_effect_at and policy.live_revision_id == done.revision_id
    assert "14일" in policy.conditions and "7일" not in policy.conditions

    pending = Change.objects.filter(notice__title=DELAY_NOTICE)
    assert {change.page.specific_class for change in pending} == {AnswerPolicyPage, CoursePage}
    for change in pending:
        assert change.is_pending
        # What is live now says 3,000원, what goes live next says 5,000원, in both pages.
        live, scheduled = (
            _said(revision) for revision in (change.page.live_revision, change.revision)
        )
        assert "3,000원" in live and "5,000원" not in live
        assert "5,000원" in scheduled and "3,000원" not in scheduled
    lessons = str(CoursePage.objects.get(slug="product-basics").lessons.raw_data)
    assert "2,000원" not in lessons and "3,000원" in lessons
    for change in Change.objects.filter(took_effect_at__isnull=False):
        assert change.page.live_revision_id == change.revision_id


def _said(revision) -> str:
    """What a policy's or course's revision tells agents, as plain text."""
    page = revision.as_object()
    if isinstance(page, CoursePage):
        return str(page.lessons.raw_data) + str(page.quiz.raw_data)
    return " ".join(script.text for script in page.scripts.all())
