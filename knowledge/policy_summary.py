"""The "you may / you may not" lines at the top of an answer policy, from its fields."""

from dataclasses import dataclass

from django.contrib.humanize.templatetags.humanize import intcomma
from django.utils.translation import gettext as _

from .models import AnswerPolicyPage, AuthorityLevel


@dataclass(frozen=True)
class SummaryLine:
    allowed: bool
    text: str


def summarise(policy: AnswerPolicyPage) -> list[SummaryLine]:
    lines = []
    limits = _limits(policy)
    if policy.authority == AuthorityLevel.AGENT_DECIDES:
        lines.append(SummaryLine(True, _("You may decide this yourself") + limits))
    elif policy.authority == AuthorityLevel.AGENT_REPORTS:
        lines.append(SummaryLine(True, _("You may decide this yourself") + limits))
        lines.append(
            SummaryLine(True, _("Report it afterwards (사후 보고) as the route below says"))
        )
    elif policy.authority == AuthorityLevel.TEAM_LEAD:
        lines.append(SummaryLine(False, _("You may not decide alone: your team lead approves")))
    else:
        lines.append(SummaryLine(False, _("You may not decide: escalate to the client")))
    if policy.agent_may_decide and policy.limit_amount_krw:
        lines.append(
            SummaryLine(
                False,
                _("You may not go above %(amount)s원 without your team lead")
                % {"amount": intcomma(policy.limit_amount_krw)},
            )
        )
    if policy.exclusions:
        lines.append(SummaryLine(False, _("You may not apply it to the exclusions listed below")))
    return lines


def _limits(policy) -> str:
    parts = []
    if policy.limit_amount_krw:
        parts.append(_("up to %(amount)s원") % {"amount": intcomma(policy.limit_amount_krw)})
    if policy.limit_times_per_customer:
        if policy.limit_window_days:
            parts.append(
                _("%(times)d time(s) per customer in %(days)d days")
                % {"times": policy.limit_times_per_customer, "days": policy.limit_window_days}
            )
        else:
            parts.append(
                _("%(times)d time(s) per customer") % {"times": policy.limit_times_per_customer}
            )
    return f" ({', '.join(parts)})" if parts else ""
