"""Recording each publish of a course as a version, and what a material one changed.

A lesson's ``since`` is the version from which a completion of it counts: it moves to
the new version only when a *material* version changed that lesson (or added it). A
correction (not material) keeps every ``since``, so nobody is asked to read again; a
lesson added by a correction (``since`` 0) is read by those still in the course only.
"""

from django.db import transaction
from django.utils import timezone

from portal.publishing import content_hash
from portal.queueing import queue

from .models import CoursePage, CourseVersion


def lesson_hashes(course: CoursePage) -> list[dict]:
    raw = {item["id"]: item["value"] for item in course.lessons.raw_data}
    return [
        {"id": block.id, "title": block.value["title"], "hash": content_hash(raw.get(block.id))}
        for block in course.lessons
    ]


def quiz_hash(course: CoursePage) -> str:
    """The questions and answers as agents are judged on them, not the block ids."""
    return content_hash(
        [
            {
                "question": q.value["question"],
                "multiple": q.value["multiple"],
                "options": [[o["text"], o["correct"]] for o in q.value["options"]],
            }
            for q in course.quiz
        ]
    )


def record_publish(course: CoursePage, revision, user=None) -> CourseVersion:
    """Called inside the publish transaction."""
    previous = course.versions.order_by("-number").first()
    number = previous.number + 1 if previous else 1
    material = previous is None or bool(course.material_change)
    before = {item["id"]: item for item in previous.lessons} if previous else {}
    lessons = []
    for item in lesson_hashes(course):
        old = before.get(item["id"])
        if old is None:
            # Added by a correction: to be read by those still in the course, while
            # those who finished it keep their completion.
            since = number if material else 0
        elif material and old["hash"] != item["hash"]:
            since = number
        else:
            since = old["since"]
        lessons.append({**item, "since": since})
    new_quiz = quiz_hash(course)
    if previous is None or (material and previous.quiz_hash != new_quiz):
        quiz_since = number
    else:
        quiz_since = previous.quiz_since
    version = CourseVersion.objects.create(
        course=course,
        number=number,
        material=material,
        revision=revision,
        lessons=lessons,
        quiz_hash=new_quiz,
        quiz_since=quiz_since,
        published_at=timezone.now(),
        published_by=user if user is not None and user.is_authenticated else None,
    )
    if material and previous is not None:
        from .tasks import ask_for_review  # tasks (via progress) imports this module

        transaction.on_commit(
            lambda: queue(ask_for_review, version.pk, catches_up="the daily review sweep")
        )
    return version


def latest_version(course) -> CourseVersion | None:
    return course.versions.order_by("-number").first()


def changed_in(version: CourseVersion, completed_version: int | None) -> list[dict]:
    """Lessons the agent must (re)read given the version they completed the course at."""
    if completed_version is None:
        return []
    return [item for item in version.lessons if item["since"] > completed_version]
