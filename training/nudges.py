"""Nudges on Celery beat: reminders to agents whose required training is missing as
go-live approaches, a word to managers when a cohort is all ready or will not be ready
in time, a request to review a course after a material revision, and the daily
readiness snapshot behind the chart.

Every message is a unique row written before it is sent (claimed by a timestamp), so a
repeated or doubled beat never sends the same thing twice.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import get_connection
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from portal.mail import personal_email, site_url
from portal.organisation.models import AgentProfile
from portal.organisation.roles import Role

from .models import CohortAlert, CourseProgress, CourseVersion, ReadinessSnapshot, TrainingNudge
from .progress import requirement
from .readiness import agents_for_readiness, cohorts_of, readiness_of


def _message(user, subject_text, lines, link, link_label, mail):
    context = {"lines": lines, "link": link, "link_label": link_label}
    return personal_email(
        user, "training/email/message", context, connection=mail, subject=subject_text
    )


def _in_language(user):
    return translation.override(user.language or settings.LANGUAGE_CODE)


def nudge_steps() -> list[int]:
    return sorted({int(d) for d in settings.TRAINING_NUDGE_DAYS if int(d) >= 0}, reverse=True)


def send_training_nudges(today=None) -> int:
    """Remind agents with required courses not passed, at each step before go-live."""
    today = today or timezone.localdate()
    steps = nudge_steps()
    if not steps:
        return 0
    base = AgentProfile.objects.unscoped().filter(
        go_live_date__gte=today, go_live_date__lte=today + timedelta(days=steps[0])
    )
    due = []
    for item in readiness_of(agents_for_readiness(base)):
        if item.training_done:
            continue
        days_left = (item.agent.go_live_date - today).days
        step = min(d for d in steps if d >= days_left)
        due.append(
            TrainingNudge(agent=item.agent, go_live_date=item.agent.go_live_date, days_before=step)
        )
    TrainingNudge.objects.bulk_create(due, ignore_conflicts=True)
    now = timezone.now()
    if not TrainingNudge.objects.filter(sent_at__isnull=True).update(sent_at=now):
        return 0
    nudges = TrainingNudge.objects.filter(sent_at=now).select_related("agent__user")
    by_agent = {n.agent_id: n for n in nudges}
    agents = AgentProfile.objects.unscoped().filter(pk__in=list(by_agent))
    mail = get_connection()
    messages = []
    for item in readiness_of(agents_for_readiness(agents)):
        user = item.agent.user
        if not user.email or item.training_done:
            continue
        days_left = (item.agent.go_live_date - today).days
        with _in_language(user):
            missing = [s.title for s in item.courses if not s.passed]
            subject = _("Go-live in %(days)d days: %(n)d courses to finish") % {
                "days": days_left,
                "n": len(missing),
            }
            lines = [
                _("Your go-live date is %(date)s. These required courses are not finished yet:")
                % {"date": item.agent.go_live_date.isoformat()},
                *[f"· {title}" for title in missing],
            ]
            messages.append(
                _message(user, subject, lines, site_url("/training/"), _("Open my training"), mail)
            )
    if messages:
        mail.send_messages(messages)
    return len(messages)


def _cohort_recipients(vendor_id):
    """The cohort's vendor managers and every client manager."""

    users = get_user_model().objects.filter(is_active=True).exclude(email="")
    vendor_managers = users.filter(
        agent_profile__in=AgentProfile.objects.unscoped()
        .vendor_managers()
        .filter(vendor_id=vendor_id)
    )
    client_managers = users.filter(
        groups__name=Role.CLIENT_MANAGER.value, agent_profile__isnull=True
    )
    return list((vendor_managers | client_managers).distinct())


def send_cohort_alerts(today=None) -> int:
    """A cohort at 100% (once), or short of it within the at-risk window (once)."""
    today = today or timezone.localdate()
    base = AgentProfile.objects.unscoped().filter(go_live_date__gte=today, team__isnull=False)
    cohorts = cohorts_of(readiness_of(agents_for_readiness(base)))
    risk_window = timedelta(days=settings.TRAINING_AT_RISK_DAYS)
    alerts = []
    for cohort in cohorts:
        if cohort.ready == cohort.agents:
            kind = CohortAlert.Kind.READY
        elif cohort.go_live_date - today <= risk_window:
            kind = CohortAlert.Kind.AT_RISK
        else:
            continue
        alerts.append(
            CohortAlert(
                vendor=cohort.vendor,
                team=cohort.team,
                go_live_date=cohort.go_live_date,
                kind=kind,
                agents=cohort.agents,
                ready=cohort.ready,
            )
        )
    CohortAlert.objects.bulk_create(alerts, ignore_conflicts=True)
    now = timezone.now()
    if not CohortAlert.objects.filter(sent_at__isnull=True).update(sent_at=now):
        return 0
    mail = get_connection()
    messages = []
    for alert in CohortAlert.objects.filter(sent_at=now).select_related("vendor", "team"):
        for user in _cohort_recipients(alert.vendor_id):
            with _in_language(user):
                cohort = f"{alert.vendor.name} · {alert.team.name} · {alert.go_live_date}"
                if alert.kind == CohortAlert.Kind.READY:
                    subject = _("Ready for go-live: %(cohort)s") % {"cohort": cohort}
                    lines = [
                        _("All %(n)d agents of %(cohort)s are ready for go-live.")
                        % {"n": alert.agents, "cohort": cohort}
                    ]
                else:
                    subject = _("At risk for go-live: %(cohort)s") % {"cohort": cohort}
                    lines = [
                        _(
                            "%(ready)d of %(n)d agents of %(cohort)s are ready, "
                            "%(days)d days before go-live."
                        )
                        % {
                            "ready": alert.ready,
                            "n": alert.agents,
                            "cohort": cohort,
                            "days": (alert.go_live_date - today).days,
                        }
                    ]
                link = site_url(
                    f"/training/readiness/?team={alert.team_id}&go_live={alert.go_live_date}"
                )
                messages.append(
                    _message(user, subject, lines, link, _("Open the readiness view"), mail)
                )
    if messages:
        mail.send_messages(messages)
    return len(messages)


def record_snapshots(today=None) -> int:
    """Today's readiness of every cohort with a go-live date not long past."""
    today = today or timezone.localdate()
    base = AgentProfile.objects.unscoped().filter(
        go_live_date__gte=today - timedelta(days=30), team__isnull=False
    )
    count = 0
    for cohort in cohorts_of(readiness_of(agents_for_readiness(base))):
        ReadinessSnapshot.objects.update_or_create(
            day=today,
            vendor=cohort.vendor,
            team=cohort.team,
            go_live_date=cohort.go_live_date,
            defaults={"agents": cohort.agents, "ready": cohort.ready},
        )
        count += 1
    return count


def ask_for_review(version_id: int) -> int:
    """Tell those who completed the course before a material revision what to review."""
    version = CourseVersion.objects.select_related("course").get(pk=version_id)
    course = version.course
    needed = requirement(version, course.has_quiz)
    with transaction.atomic():
        claimed = list(
            CourseProgress.objects.unscoped()
            .select_for_update()
            .filter(course=course, completed_version__lt=needed)
            .filter(
                Q(review_requested_version__isnull=True)
                | Q(review_requested_version__lt=version.number)
            )
            .filter(agent__status=AgentProfile.Status.ACTIVE)
        )
        CourseProgress.objects.unscoped().filter(pk__in=[r.pk for r in claimed]).update(
            review_requested_version=version.number
        )
    users = {
        p.pk: p.user
        for p in AgentProfile.objects.unscoped()
        .filter(pk__in=[r.agent_id for r in claimed])
        .select_related("user")
    }
    changed = [item["title"] for item in version.lessons if item["since"] == version.number]
    quiz_changed = course.has_quiz and version.quiz_since == version.number
    mail = get_connection()
    messages = []
    for row in claimed:
        user = users[row.agent_id]
        if not user.email:
            continue
        with _in_language(user):
            subject = _("Course updated: %(course)s") % {"course": course.title}
            lines = [_("The course was updated. Please review what changed:")]
            lines += [f"· {title}" for title in changed]
            if quiz_changed:
                lines.append(_("· The quiz changed: take it again."))
            messages.append(_message(user, subject, lines, site_url(course), _("Review"), mail))
    if messages:
        mail.send_messages(messages)
    return len(messages)
