"""An agent's way through a course: lessons completed, where to resume, when it is done.

A lesson counts as done when the agent completed it at or after the version from which
its current content stands (``since``); a quiz, when an attempt at its current questions
passed. ``CourseProgress`` is recomputed from those records after every step, so it
never drifts from them.
"""

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from .models import CourseProgress, CourseVersion, LessonCompletion, QuizAttempt
from .versions import latest_version


def requirement(version: CourseVersion, has_quiz: bool) -> int:
    """A course counts as passed by anyone who completed it at this version or later."""
    sinces = [item["since"] for item in version.lessons]
    if has_quiz:
        sinces.append(version.quiz_since)
    return max(sinces, default=1)


def done_lessons(course, agent, version: CourseVersion) -> set[str]:
    latest = dict(
        LessonCompletion.objects.unscoped()
        .filter(agent=agent, course=course)
        .values_list("lesson_id")
        .annotate(last=Max("version_number"))
    )
    return {
        item["id"]
        for item in version.lessons
        if item["id"] in latest and latest[item["id"]] >= item["since"]
    }


def quiz_passed(course, agent, version: CourseVersion) -> bool:
    return (
        QuizAttempt.objects.unscoped()
        .filter(agent=agent, course=course, passed=True, quiz_version__gte=version.quiz_since)
        .exists()
    )


def progress_of(course, agent) -> CourseProgress | None:
    progress = CourseProgress.objects.unscoped().filter(agent=agent, course=course).first()
    if progress is not None:
        progress.course = course  # its percent asks whether the course has a quiz
    return progress


def refresh(course, agent, version: CourseVersion | None = None, last_lesson_id=None):
    """Recompute the agent's progress in the course from their records."""
    version = version or latest_version(course)
    if version is None:
        return None
    done = done_lessons(course, agent, version)
    passed = not course.has_quiz or quiz_passed(course, agent, version)
    best = (
        QuizAttempt.objects.unscoped()
        .filter(agent=agent, course=course, quiz_version__gte=version.quiz_since)
        .aggregate(best=Max("score"))["best"]
    )
    progress, _created = _get_or_create(course, agent)
    progress.lessons_done = len(done)
    progress.lessons_total = len(version.lessons)
    progress.quiz_passed = passed if course.has_quiz else len(done) == len(version.lessons)
    progress.best_score = best
    if last_lesson_id:
        progress.last_lesson_id = last_lesson_id
    finished = len(done) == len(version.lessons) and passed
    if finished and (progress.completed_version or 0) < requirement(version, course.has_quiz):
        progress.completed_version = version.number
        progress.completed_at = timezone.now()
    progress.save()
    return progress


def _get_or_create(course, agent):
    try:
        with transaction.atomic():
            return CourseProgress.objects.unscoped().get_or_create(agent=agent, course=course)
    except IntegrityError:  # a concurrent first step created it
        return CourseProgress.objects.unscoped().get(agent=agent, course=course), False


def complete_lesson(course, agent, lesson_id: str) -> CourseProgress:
    version = latest_version(course)
    LessonCompletion.objects.unscoped().get_or_create(
        agent=agent,
        course=course,
        lesson_id=lesson_id,
        version_number=version.number,
        defaults={"version": version},
    )
    return refresh(course, agent, version, last_lesson_id=lesson_id)


def note_opened(course, agent, lesson_id: str) -> None:
    """Where to resume: the lesson last opened."""
    progress, _created = _get_or_create(course, agent)
    if progress.last_lesson_id != lesson_id:
        progress.last_lesson_id = lesson_id
        progress.save(update_fields=["last_lesson_id"])


def resume_lesson(course, version: CourseVersion, done: set[str], progress) -> str | None:
    """The first lesson not done, from the one last opened onwards; else the first one."""
    ids = [item["id"] for item in version.lessons]
    if not ids:
        return None
    start = ids.index(progress.last_lesson_id) if progress and progress.last_lesson_id in ids else 0
    for lesson_id in ids[start:] + ids[:start]:
        if lesson_id not in done:
            return lesson_id
    return None


def is_passed(progress, version: CourseVersion | None, has_quiz: bool) -> bool:
    if progress is None or version is None or progress.completed_version is None:
        return False
    return progress.completed_version >= requirement(version, has_quiz)
