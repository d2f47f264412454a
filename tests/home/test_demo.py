"""The demo tells one consistent story, as ``make demo`` loads it (``manage.py load_demo``).

The demo is loaded once for this module, in a transaction rolled back at its end; each
test reads it in a savepoint of its own. Each app's chapter of the story is one test:
knowledge and search, notices and the pages they change, training, decisions, feedback.
"""

from dataclasses import dataclass
from datetime import timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models.functions import TruncDate
from django.test import override_settings
from django.utils import timezone

from contracts.board import Status as KpiStatus
from contracts.board import build_board
from contracts.demo import load_demo_contracts
from contracts.models import Contract, KpiActual, KpiAlert, ReviewNote
from decisions.demo import load_demo_decisions
from decisions.models import Decision
from feedback.demo import load_demo_feedback
from feedback.models import FeedbackItem, Status
from home.demo_journeys import demo_journeys
from knowledge.demo import DEMO_FILE, load_demo_knowledge
from knowledge.evaluation import evaluate, read_questions
from knowledge.models import AnswerPolicyPage, ArticlePage, VisionPage
from notices.demo import DELAY_NOTICE, REFUND_POLICY, load_demo_changes, load_demo_notices
from notices.models import Acknowledgement, Change, ChangeNoticePage, Delivery
from notices.versions import current_material_version
from portal.audit.chain import verify_chain, verify_linked_records
from portal.organisation.models import AgentProfile
from portal.organisation.roles import Role
from portal.organisation.scoping import SystemViewer, system_scope
from training.demo import load_demo_training
from training.models import CoursePage, QuizAttempt, ReadinessSnapshot, SignOff
from training.readiness import agent_readiness, agents_for_readiness, readiness_of

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Loaded:
    output: str
    #: What the load emailed, and what it left to run once its transaction commits.
    outbox: list
    on_commit: list


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    with (
        django_db_blocker.unblock(),
        override_settings(AUDIT_CHECKPOINT_DIR=tmp_path_factory.mktemp("audit")),
        system_scope("test code"),
        transaction.atomic(),
    ):
        mail.outbox = []
        output = StringIO()
        call_command("load_demo", stdout=output)
        yield Loaded(output.getvalue(), list(mail.outbox), list(connection.run_on_commit))
        transaction.set_rollback(True)


def test_the_demo_loads_again_over_itself(demo):
    assert "Demo data is loaded" in demo.output
    assert load_demo_knowledge().created == 0
    assert load_demo_decisions() == 0
    assert load_demo_notices() == 0
    assert load_demo_training() == 0
    assert load_demo_changes() == 0
    assert load_demo_feedback() == 0
    actuals, notes = KpiActual.objects.count(), ReviewNote.objects.count()
    assert load_demo_contracts() == 0
    assert (KpiActual.objects.count(), ReviewNote.objects.count()) == (actuals, notes)
    # Sealed and checkpointed at its end: the audit trail holds every record.
    report = verify_chain()
    assert report.intact and report.warnings == [] and report.pending == 0
    assert verify_linked_records() == []


def test_the_demo_knowledge_is_found_by_the_demo_questions(demo):
    assert ArticlePage.objects.live().count() == 30
    assert AnswerPolicyPage.objects.live().count() == 20
    assert VisionPage.objects.live().count() == 1
    questions = read_questions(DEMO_FILE.with_name("questions.jsonl").read_text(encoding="utf-8"))
    result = evaluate(questions, SystemViewer()).as_dict()
    # Exact: the ranking adds integers, so SQLite and PostgreSQL agree to the last digit.
    assert (result["recall_at_1"], result["recall_at_5"], result["mrr"]) == (0.9, 0.9833, 0.9333)


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
    assert demo.outbox

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


def test_the_demo_training_has_agents_at_every_stage(demo):
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


def test_the_demo_decisions_span_a_week_with_refusals_at_the_limit(demo):
    decisions = Decision.objects.all()
    assert decisions.count() > 40
    assert decisions.values("agent__vendor").distinct().count() == 2
    refusals = set(decisions.filter(outcome="refused").values_list("refusal", flat=True))
    assert refusals == {"over_amount", "over_times"}
    days = set(decisions.annotate(day=TruncDate("decided_at")).values_list("day", flat=True))
    assert len(days) == 7 and max(days) < timezone.localdate() + timedelta(days=1)


def test_the_demo_feedback_credits_the_refund_period_change(demo, client):
    assert FeedbackItem.objects.count() == 12
    assert set(FeedbackItem.objects.values_list("status", flat=True)) == set(Status.values)
    [credited] = FeedbackItem.objects.credited()
    assert credited.agent.user.username == "onc-1002"
    assert "14일" in credited.resolved_by_notice.title
    assert credited.revision_id != credited.resolved_by_revision_id
    assert credited.resolved_by_revision.object_id == str(credited.page_id)
    assert credited.answered_at >= credited.resolved_by_revision.created_at
    assert FeedbackItem.objects.filter(agent__vendor__code="HGCS").exists()
    # Nothing about feedback is sent or queued: a worker running while the demo loads
    # emails nobody about it.
    assert not [func for _ids, func, _robust in demo.on_commit if "feedback" in func.__module__]
    assert not [m for m in demo.outbox if "피드백" in m.subject or "feedback" in m.subject.lower()]

    client.force_login(credited.agent.user)
    assert client.get("/").text.count('data-testid="credit"') == 1


def test_the_demo_contracts_keep_a_year_of_kpis_and_one_miss_twice_in_a_row(demo):
    from portal.organisation.scoping import Reach, Scope

    assert Contract.objects.count() == 2
    board = build_board(Scope(Reach.ALL))
    by_code = {b.vendor.code: b for b in board.vendors}
    assert set(by_code) == {"HGCS", "ONC"}
    for vendor_board in board.vendors:
        assert 3 <= len(vendor_board.lines) <= 5
        assert any(line.computed for line in vendor_board.lines)
        # A year of monthly actuals: every month on the board has its figures.
        for line in vendor_board.lines:
            if not line.computed:
                assert all(point.value is not None for point in line.points), line.kpi.code
        assert vendor_board.has_notes
    missed = [
        (b.vendor.code, line.kpi.code, line.missed_in_a_row)
        for b in board.vendors
        for line in b.lines
        if line.status is KpiStatus.MISSED and not line.computed
    ]
    assert missed == [("ONC", "response-rate", 2)]
    # The portal's own KPI has figures from the demo's week of decisions only: the weeks
    # before the portal are no data, never 0 or a miss.
    decisions = by_code["ONC"].line("decisions")
    assert decisions.latest is not None and decisions.missed_in_a_row <= 1
    assert decisions.points[0].status is KpiStatus.NO_DATA
    # HGCS's phone goes live in December: its year is chat and email.
    assert {line.kpi.code for line in by_code["HGCS"].lines} >= {"chat-response", "email-time"}
    # Loading told nobody: the alert is beat's to send.
    assert not KpiAlert.objects.exists()
    assert not [m for m in demo.outbox if "[KPI]" in m.subject]


def test_the_demo_prints_one_login_per_journey_with_what_to_try(demo):
    journeys = demo_journeys()
    assert [journey.who for journey in journeys] == [
        "agent, a notice changed",
        "agent, ready",
        "team lead",
        "vendor manager",
        "client publisher",
        "client manager",
    ]
    for journey in journeys:
        assert f"  {journey.username}" in demo.output and journey.to_try in demo.output
    ready, lead = (
        AgentProfile.objects.select_related("user", "team").get(user__username=j.username)
        for j in journeys[1:3]
    )
    readiness = agent_readiness(ready)
    assert readiness.training_done and readiness.notices_done
    assert readiness.sign_off_required and not readiness.signed_off
    assert lead.team == ready.team and lead.user.groups.filter(name=Role.TEAM_LEAD.value).exists()
    assert "Other accounts:" in demo.output and "onc-manager (vendor manager)" in demo.output
