"""The decision report's figures: totals, decisions per day for the chart, and the rows,
each in a fixed number of queries however many decisions there are."""

from dataclasses import dataclass
from datetime import timedelta

from django.core.paginator import Paginator
from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from portal.charts import day_chart

from .models import Decision

ROWS_PER_PAGE = 50


@dataclass
class Totals:
    decisions: int
    recorded: int
    refused: int
    amount_krw: int


def totals(decisions) -> Totals:
    row = decisions.aggregate(
        decisions=Count("pk"),
        recorded=Count("pk", filter=Q(outcome=Decision.Outcome.RECORDED)),
        refused=Count("pk", filter=Q(outcome=Decision.Outcome.REFUSED)),
        amount_krw=Sum("amount_krw", filter=Q(outcome=Decision.Outcome.RECORDED)),
    )
    return Totals(**{**row, "amount_krw": row["amount_krw"] or 0})


def per_day(decisions) -> list[tuple]:
    """(day, recorded, refused) for each day with a decision, in the portal's time zone."""
    rows = (
        decisions.annotate(day=TruncDate("decided_at", tzinfo=timezone.get_current_timezone()))
        .values("day")
        .annotate(
            recorded=Count("pk", filter=Q(outcome=Decision.Outcome.RECORDED)),
            refused=Count("pk", filter=Q(outcome=Decision.Outcome.REFUSED)),
        )
        .order_by("day")
    )
    return [(row["day"], row["recorded"], row["refused"]) for row in rows]


def chart(days: list[tuple]):
    """Decisions per day, the busiest day at the top; the caption says each day's count."""
    if not days:
        return None
    busiest = max(recorded + refused for _day, recorded, refused in days)
    first, last = days[0][0], max(days[-1][0], timezone.localdate())
    if first == last:
        first = last - timedelta(days=1)
    return day_chart(
        [(day, (recorded + refused) / busiest) for day, recorded, refused in days],
        first=first,
        last=last,
        days=[(day, recorded + refused) for day, recorded, refused in days],
    )


def listed(decisions):
    """The rows of a listing or export: each with its agent and policy, newest first."""
    return decisions.select_related(
        "agent__user", "agent__vendor", "agent__team", "policy"
    ).order_by("-decided_at", "-pk")


def page_of(decisions, number):
    return Paginator(listed(decisions), ROWS_PER_PAGE).get_page(number)
