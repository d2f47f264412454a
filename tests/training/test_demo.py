"""The demo training loads once, with agents at every stage."""

import pytest

from knowledge.demo import load_demo_knowledge
from notices.demo import load_demo_notices
from portal.audit.chain import seal, verify_chain, verify_linked_records
from portal.organisation.demo import load_demo_organisation
from portal.organisation.models import AgentProfile
from training.demo import load_demo_training
from training.models import CoursePage, QuizAttempt, ReadinessSnapshot, SignOff
from training.readiness import agents_for_readiness, readiness_of

pytestmark = pytest.mark.django_db


def test_demo_training_loads_once_with_agents_at_every_stage():
    load_demo_organisation()
    load_demo_knowledge()
    load_demo_notices()
    assert load_demo_training() == 2
    assert load_demo_training() == 0
    assert CoursePage.objects.live().count() == 2
    for course in CoursePage.objects.all():
        assert course.has_quiz and len(course.lessons) >= 4
    readiness = readiness_of(agents_for_readiness(AgentProfile.objects.all()))
    ready = [r for r in readiness if r.ready]
    not_started = [r for r in readiness if not any(s.started for s in r.courses)]
    midway = [r for r in readiness if any(s.started and not s.passed for s in r.courses)]
    assert ready and not_started and midway
    assert len(ready) < len(readiness)
    assert QuizAttempt.objects.filter(passed=False).exists()  # some failed once first
    assert SignOff.objects.exists()
    assert ReadinessSnapshot.objects.values("day").distinct().count() > 7
    # As beat would (the demo command seals at its end): loading may take longer than
    # the merge delay on a busy machine.
    seal(everything=True)
    assert verify_chain().intact and verify_linked_records() == []
