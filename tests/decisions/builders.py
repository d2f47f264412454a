"""Policies agents decide under, and decisions recorded as the form would record them."""

from decisions.recording import record_decision
from knowledge.models import AuthorityLevel
from tests.knowledge.builders import policy, section


def refund_policy(parent=None, **kwargs):
    """A policy an agent decides under: up to 30,000 won, twice per customer in 30 days."""
    fields = {
        "authority": AuthorityLevel.AGENT_REPORTS,
        "limit_amount_krw": 30000,
        "limit_times_per_customer": 2,
        "limit_window_days": 30,
        "escalation_route": "팀장 승인 후 고객사 CX팀으로 이관",
        "escalation_contact": "cx-escalation@nuri.example",
        **kwargs,
    }
    title = fields.pop("title", "배송 지연 보상")
    owner = fields.pop("content_owner", None)
    page = policy(parent or section("결제·환불"), title, "배송이 늦어진 고객", **fields)
    if owner is not None:
        page.content_owner = owner
        page.save_revision().publish()
    return page


def decide(policy, agent, *, customer="010-1234-5678", amount=10000, channel="phone", **kwargs):
    return record_decision(
        policy, agent, channel=channel, customer=customer, amount=amount, **kwargs
    )
