"""Go-live readiness: every required course passed, every required change notice
acknowledged, and the team lead's sign-off where the vendor asks for one.

Computed, not stored: a fixed number of queries loads the required courses, the agents'
channels, their course progress, their notice counts and sign-offs, and Python matches
them. The number of queries does not grow with the number of agents.
"""

import gc
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple

from django.db.models import OuterRef, Subquery
from django.utils.translation import gettext as _

from notices.inbox import acknowledgement_counts, unacknowledged_notices
from portal.organisation.models import AgentProfile, Team, Vendor
from portal.visibility import live_pages

from .audience import CourseAudience, audiences, channels_of
from .models import CoursePage, CourseProgress, CourseVersion, SignOff, TrainingIndexPage
from .progress import requirement


@dataclass
class RequiredCourse:
    course_id: int
    title: str
    requirement: int
    lessons_total: int
    audience: CourseAudience


@dataclass
class CourseStatus:
    course: RequiredCourse
    passed: bool = False
    started: bool = False
    lessons_done: int = 0
    quiz_passed: bool = False
    review: bool = False  # passed an earlier version, a material revision asks to review
    url: str = ""

    @property
    def title(self) -> str:
        return self.course.title


@dataclass
class Readiness:
    agent: AgentProfile | None
    key: "AgentKey"
    courses: list[CourseStatus] = field(default_factory=list)
    notices_required: int = 0
    notices_acknowledged: int = 0
    sign_off_required: bool = False
    signed_off: bool = False
    #: Unacknowledged deliveries; loaded only for the agents on screen.
    outstanding_notices: list = field(default_factory=list)

    @property
    def courses_passed(self) -> int:
        return sum(1 for status in self.courses if status.passed)

    @property
    def training_done(self) -> bool:
        return all(status.passed for status in self.courses)

    @property
    def notices_done(self) -> bool:
        return self.notices_acknowledged >= self.notices_required

    @property
    def ready(self) -> bool:
        return (
            self.training_done
            and self.notices_done
            and (self.signed_off or not self.sign_off_required)
        )

    @property
    def steps(self) -> tuple[int, int]:
        total = len(self.courses) + self.notices_required + int(self.sign_off_required)
        done = self.courses_passed + self.notices_acknowledged
        done += int(self.sign_off_required and self.signed_off)
        return done, total

    @property
    def percent(self) -> int:
        done, total = self.steps
        return round(100 * done / total) if total else 100

    @property
    def blockers(self) -> list[str]:
        """What is still missing, in words, for the dashboard and the export."""
        missing = []
        for status in self.courses:
            if status.passed:
                continue
            if status.review:
                missing.append(_("Review: %(course)s") % {"course": status.title})
            elif not status.started:
                missing.append(_("Not started: %(course)s") % {"course": status.title})
            elif status.lessons_done < status.course.lessons_total:
                missing.append(
                    _("%(course)s: %(done)d/%(total)d lessons")
                    % {
                        "course": status.title,
                        "done": status.lessons_done,
                        "total": status.course.lessons_total,
                    }
                )
            else:
                missing.append(_("Quiz not passed: %(course)s") % {"course": status.title})
        unacked = self.notices_required - self.notices_acknowledged
        if unacked > 0:
            if self.outstanding_notices:
                missing += [
                    _("Notice to confirm: %(title)s") % {"title": d.notice.title}
                    for d in self.outstanding_notices
                ]
            else:
                missing.append(_("%(n)d notices to confirm") % {"n": unacked})
        if self.sign_off_required and not self.signed_off:
            missing.append(_("Team lead sign-off"))
        return missing


def required_courses() -> list[RequiredCourse]:
    """Live courses required for go-live, with their audience and current requirement."""
    courses = list(
        live_pages(CoursePage.objects.filter(required_for_go_live=True))
        .order_by("path")
        .values("pk", "title", "quiz")
    )
    ids = [c["pk"] for c in courses]
    newest = (
        CourseVersion.objects.filter(course=OuterRef("course")).order_by("-number").values("number")
    )
    versions = {
        version.course_id: version
        for version in CourseVersion.objects.filter(course_id__in=ids, number=Subquery(newest[:1]))
    }
    audience = audiences(ids)
    result = []
    for course in courses:
        version = versions.get(course["pk"])
        if version is None:
            continue
        result.append(
            RequiredCourse(
                course_id=course["pk"],
                title=course["title"],
                requirement=requirement(version, bool(course["quiz"])),
                lessons_total=len(version.lessons),
                audience=audience[course["pk"]],
            )
        )
    return result


def agents_for_readiness(base):
    """Active agents among ``base`` (a scoped AgentProfile queryset): people with the
    Agents role who do not also lead a team or manage the vendor."""
    return (
        base.frontline()
        .select_related("user", "vendor", "team")
        .order_by("vendor__name", "team__name", "go_live_date", "user__name", "pk")
    )


class AgentKey(NamedTuple):
    """What readiness needs of an agent; the full profile is loaded only for display."""

    pk: int
    vendor_id: int
    team_id: int | None
    go_live_date: date | None
    sign_off_required: bool


def readiness_of(
    agents, courses: list[RequiredCourse] | None = None, *, load_agents: bool = True
) -> list[Readiness]:
    """Readiness of each agent in ``agents`` (a queryset, read once as plain values).

    With ``load_agents=False`` each item's ``agent`` stays None: a dashboard loads the
    profiles of the page it shows (``attach_agents``), not of thousands of agents.
    """
    with _collector_paused():
        result = _readiness_of(agents, courses)
    if load_agents:
        attach_agents(result)
    return result


def _readiness_of(agents, courses):

    keys = [
        AgentKey(*row)
        for row in agents.values_list(
            "pk", "vendor_id", "team_id", "go_live_date", "vendor__go_live_sign_off"
        )
    ]
    if not keys:
        return []
    courses = required_courses() if courses is None else courses
    ids = agents.values("pk")
    channels = channels_of(ids) if any(not c.audience.everyone for c in courses) else {}
    progress = defaultdict(dict)
    for row in (
        CourseProgress.objects.unscoped()
        .filter(agent_id__in=ids, course_id__in=[c.course_id for c in courses])
        .values_list("agent_id", "course_id", "completed_version", "lessons_done", "quiz_passed")
    ):
        progress[row[0]][row[1]] = row[2:]
    notice_counts = acknowledgement_counts(ids)
    signed = set(
        SignOff.objects.unscoped().filter(agent_id__in=ids).values_list("agent_id", flat=True)
    )
    result = []
    _match(result, keys, courses, channels, progress, notice_counts, signed)
    return result


@contextmanager
def _collector_paused():
    """Tens of thousands of short-lived objects per dashboard would otherwise set off
    Python's full garbage collections mid-request (a third of requests took 70% longer);
    they are freed by reference counting when the request ends."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _match(result, keys, courses, channels, progress, notice_counts, signed):
    for key in keys:
        own_channels = channels.get(key.pk, set())
        readiness = Readiness(
            agent=None,
            key=key,
            sign_off_required=key.sign_off_required,
            signed_off=key.pk in signed,
        )
        readiness.notices_required, readiness.notices_acknowledged = notice_counts.get(
            key.pk, (0, 0)
        )
        own_progress = progress.get(key.pk, {})
        for course in courses:
            if not course.audience.includes(key.vendor_id, key.team_id, own_channels):
                continue
            row = own_progress.get(course.course_id)
            status = CourseStatus(course=course)
            if row is not None:
                completed, lessons_done, quiz_passed = row
                status.started = True
                status.lessons_done = lessons_done
                status.quiz_passed = quiz_passed
                status.passed = completed is not None and completed >= course.requirement
                status.review = completed is not None and not status.passed
            readiness.courses.append(status)
        result.append(readiness)


def attach_agents(readiness: list[Readiness]) -> list[Readiness]:
    """Load the profiles (with user, vendor and team) of the agents given, in one query."""
    # System query: the keys came from a queryset the caller had already scoped.
    profiles = (
        AgentProfile.objects.unscoped()
        .select_related("user", "vendor", "team")
        .in_bulk([item.key.pk for item in readiness])
    )
    for item in readiness:
        item.agent = profiles[item.key.pk]
    return readiness


def with_outstanding_notices(readiness: list[Readiness]) -> list[Readiness]:
    """Load the unacknowledged notices of the agents given (a page of a dashboard)."""

    # One query even when nobody is waiting: the count of queries stays the same.
    waiting = [r.key.pk for r in readiness if not r.notices_done] or [0]
    outstanding = unacknowledged_notices(waiting) if readiness else {}
    for item in readiness:
        item.outstanding_notices = outstanding.get(item.key.pk, [])
    return readiness


def agent_readiness(agent) -> Readiness:
    """One agent's readiness, with the notices still to confirm."""
    found = readiness_of(AgentProfile.objects.unscoped().filter(pk=agent.pk))
    return with_outstanding_notices(found)[0]


@dataclass
class Cohort:
    """Agents of one team with one go-live date."""

    vendor: object
    team: object
    go_live_date: date | None
    agents: int = 0
    ready: int = 0

    @property
    def percent(self) -> int:
        return round(100 * self.ready / self.agents) if self.agents else 0


def cohorts_of(readiness: list[Readiness]) -> list[Cohort]:

    # The vendors and teams of agents the caller may see (system query on their ids).
    vendors = Vendor.objects.unscoped().in_bulk({item.key.vendor_id for item in readiness})
    teams = Team.objects.unscoped().in_bulk(
        {item.key.team_id for item in readiness if item.key.team_id}
    )
    cohorts: dict[tuple, Cohort] = {}
    for item in readiness:
        agent = item.key
        key = (agent.vendor_id, agent.team_id, agent.go_live_date)
        cohort = cohorts.get(key)
        if cohort is None:
            cohort = cohorts[key] = Cohort(
                vendors[agent.vendor_id], teams.get(agent.team_id), agent.go_live_date
            )
        cohort.agents += 1
        cohort.ready += item.ready
    return sorted(
        cohorts.values(),
        key=lambda c: (c.go_live_date or date.max, c.vendor.name, c.team.name if c.team else ""),
    )


def training_url() -> str:
    """Where an agent's training lives (the training section), or "" if there is none."""

    section = TrainingIndexPage.objects.live().first()
    return section.url if section else ""
