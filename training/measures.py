"""Training's measures for the KPI board: readiness at go-live, quizzes passed at the
first attempt."""

from django.db.models import Count, Exists, F, OuterRef, Q, Sum

from portal.measures import register_measure
from portal.periods import Measures, Period, bucketed, tabulate

from .models import QuizAttempt, ReadinessSnapshot


@register_measure("readiness_at_go_live")
def readiness_at_go_live(vendor_ids: list[int], periods: list[Period]) -> Measures:
    """Agents ready on their go-live date.

    Of the vendor's agents whose go-live date falls in the period, the share that were
    ready that day, as go-live readiness defines it (``training.readiness``: required
    courses passed, required notices confirmed, the team lead's sign-off where the vendor
    asks for one), read from the readiness snapshot of each cohort (team and go-live
    date) taken on the go-live day itself.

    Readiness is computed, never stored per agent, and what it requires changes (courses
    revised, notices published): recomputed today it would judge a past go-live by
    today's requirements. The snapshot beat records every hour is the only record of what
    readiness said on the day, per cohort, so it is both the exact figure and the cheap
    one (one row per cohort, not a pass over every agent's courses and notices). The
    day's last snapshot counts; a cohort with no snapshot on its go-live day (beat was
    down all day) is not counted, and neither are agents without a team, whom snapshots
    leave out.
    """
    # The board's caller has chosen the vendors the viewer may see: counted as asked.
    cohorts = ReadinessSnapshot.objects.unscoped().filter(
        vendor_id__in=vendor_ids, day=F("go_live_date")
    )
    rows = (
        bucketed(cohorts, "go_live_date", periods, dates=True)
        .values("vendor_id", "period")
        .annotate(denominator=Sum("agents"), numerator=Sum("ready"))
        .order_by()
    )
    return tabulate(rows, vendor_ids, periods)


@register_measure("first_attempt_pass")
def first_attempt_pass(vendor_ids: list[int], periods: list[Period]) -> Measures:
    """First quiz attempts passed.

    Of the vendor's agents' first attempts at each course's quiz submitted in the period
    (the first an agent submitted at that course, ever: a retake after a revision of the
    quiz is not a first attempt), the share passed. An attempt opened and never
    submitted is no attempt.
    """
    earlier = QuizAttempt.objects.unscoped().filter(
        Q(submitted_at__lt=OuterRef("submitted_at"))
        | Q(submitted_at=OuterRef("submitted_at"), pk__lt=OuterRef("pk")),
        agent=OuterRef("agent"),
        course=OuterRef("course"),
    )
    # The board's caller has chosen the vendors the viewer may see: counted as asked.
    firsts = (
        QuizAttempt.objects.unscoped()
        .filter(agent__vendor_id__in=vendor_ids, submitted_at__isnull=False)
        .exclude(Exists(earlier))
    )
    rows = (
        bucketed(firsts, "submitted_at", periods)
        .values("agent__vendor_id", "period")
        .annotate(denominator=Count("pk"), numerator=Count("pk", filter=Q(passed=True)))
        .order_by()
    )
    return tabulate(rows, vendor_ids, periods, vendor="agent__vendor_id")
