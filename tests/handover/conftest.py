"""Fixtures of hand-over tests: records of every kind for both vendors of ``world``."""

from dataclasses import dataclass
from datetime import date

import pytest

from contracts.builders import make_contract
from contracts.recording import Line, record_actuals
from contracts.reviewing import add_review_note
from tests.decisions.builders import decide, refund_policy
from tests.feedback.builders import raise_on
from tests.notices.builders import ack, publish_notice
from tests.training.builders import publish_course
from training.builders import pass_course
from training.readiness import agent_readiness
from training.signing import sign_off

#: What a spreadsheet would run: it must reach the CSV as text.
FORMULA = '=HYPERLINK("http://evil.example","x")'


@dataclass
class Records:
    notice: object
    course: object
    policy: object


@pytest.fixture
def export_dir(settings, tmp_path):
    settings.HANDOVER_EXPORT_DIR = tmp_path / "handover"
    return tmp_path / "handover"


@pytest.fixture
def records(world, eager_celery, django_capture_on_commit_callbacks):
    """One notice, course and policy for everyone; for agent A1 and agent B1 alike: an
    acknowledgement, a passed course, a sign-off, a decision, feedback; a contract with
    one actual per vendor. A1's browser and feedback are formulas."""
    with django_capture_on_commit_callbacks(execute=True):
        notice = publish_notice("배송 정책 변경", everyone=True)
    course = publish_course("배송 교육", lessons=1)
    policy = refund_policy()
    for agent, manager, browser in (
        (world.agent_a1, world.manager_a, FORMULA),
        (world.agent_b1, world.manager_b, "ONC browser"),
    ):
        agent.vendor.go_live_sign_off = True
        agent.vendor.save()
        ack(notice, agent, user_agent=browser)
        pass_course(course, agent)
        sign_off(agent_readiness(agent), manager.user, user_agent=browser)
        decide(policy, agent, reference="T-12345678", note=f"{agent.employee_number} 결정")
        raise_on(policy, agent, text=FORMULA if browser == FORMULA else "ONC 의견")
        contract = make_contract(agent.vendor)
        kpi = contract.kpis.get(code="response-rate")
        record_actuals(
            [Line(1, kpi, "2026-10", "91.5", note=f"{agent.vendor.code} 비고")],
            source="entered",
            vendor=agent.vendor,
        )
        add_review_note(contract, date(2026, 10, 1), f"{agent.vendor.code} 합의", manager.user)
    return Records(notice=notice, course=course, policy=policy)
