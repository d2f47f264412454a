"""Lessons completed, where to resume, and what a material revision asks to review."""

import pytest

from portal.publishing import publish_again
from training import progress
from training.builders import pass_course
from training.models import CourseProgress, CourseVersion
from training.versions import latest_version

from .builders import publish_course

pytestmark = pytest.mark.django_db


def lesson_ids(course):
    return [item["id"] for item in latest_version(course).lessons]


def test_each_lesson_completed_moves_the_progress_bar(world):
    course = publish_course(lessons=3)
    first, second, _third = lesson_ids(course)
    state = progress.complete_lesson(course, world.agent_a1, first)
    assert (state.lessons_done, state.lessons_total, state.percent) == (1, 3, 25)
    state = progress.complete_lesson(course, world.agent_a1, first)  # twice: counts once
    assert state.lessons_done == 1
    state = progress.complete_lesson(course, world.agent_a1, second)
    assert state.lessons_done == 2
    assert state.completed_version is None


def test_the_course_resumes_at_the_first_lesson_not_done(world):
    course = publish_course(lessons=3)
    first, second, third = lesson_ids(course)
    version = latest_version(course)
    assert progress.resume_lesson(course, version, set(), None) == first
    progress.complete_lesson(course, world.agent_a1, first)
    progress.note_opened(course, world.agent_a1, third)
    done = progress.done_lessons(course, world.agent_a1, version)
    state = progress.progress_of(course, world.agent_a1)
    # From the lesson last opened onwards, wrapping round to the ones skipped.
    assert progress.resume_lesson(course, version, done, state) == third
    progress.complete_lesson(course, world.agent_a1, third)
    done = progress.done_lessons(course, world.agent_a1, version)
    state = progress.progress_of(course, world.agent_a1)
    assert progress.resume_lesson(course, version, done, state) == second


def test_lessons_and_the_quiz_complete_the_course(world):
    course = publish_course(lessons=2)
    pass_course(course, world.agent_a1)
    state = CourseProgress.objects.get(agent=world.agent_a1, course=course)
    assert state.completed_version == 1
    assert state.quiz_passed and state.percent == 100
    assert progress.is_passed(state, latest_version(course), course.has_quiz)


def test_a_material_revision_asks_to_review_only_the_changed_lessons(world):
    course = publish_course(lessons=3)
    pass_course(course, world.agent_a1)
    first, second, third = lesson_ids(course)
    lessons = list(course.lessons.raw_data)
    lessons[1]["value"]["body"] = [{"type": "text", "value": "<p>14일로 바뀌었습니다.</p>"}]
    publish_again(course, material=True, lessons=lessons)
    version = latest_version(course)
    assert [item["since"] for item in version.lessons] == [1, 2, 1]
    state = progress.refresh(course, world.agent_a1)
    assert not progress.is_passed(state, version, course.has_quiz)
    assert progress.done_lessons(course, world.agent_a1, version) == {first, third}
    # The quiz did not change: reading the changed lesson again is enough.
    state = progress.complete_lesson(course, world.agent_a1, second)
    assert progress.is_passed(state, version, course.has_quiz)
    assert state.completed_version == 2


def test_a_correction_keeps_completions(world):
    course = publish_course(lessons=2)
    pass_course(course, world.agent_a1)
    lessons = list(course.lessons.raw_data)
    lessons[0]["value"]["title"] = "1강 (오타 수정)"
    publish_again(course, material=False, lessons=lessons)
    version = latest_version(course)
    assert not version.material
    state = progress.refresh(course, world.agent_a1)
    assert progress.is_passed(state, version, course.has_quiz)
    assert state.lessons_done == 2


def test_a_lesson_added_by_a_correction_is_for_those_still_in_the_course(world):
    course = publish_course(lessons=2)
    pass_course(course, world.agent_a1)
    progress.complete_lesson(course, world.agent_a2, lesson_ids(course)[0])
    publish_again(
        course,
        material=False,
        lessons=[
            *course.lessons.raw_data,
            {
                "type": "lesson",
                "value": {
                    "title": "3강",
                    "minutes": 5,
                    "body": [{"type": "text", "value": "<p>새 내용</p>"}],
                },
            },
        ],
    )
    version = latest_version(course)
    finished = progress.refresh(course, world.agent_a1)
    assert progress.is_passed(finished, version, course.has_quiz)
    midway = progress.refresh(course, world.agent_a2)
    assert midway.lessons_total == 3 and midway.lessons_done == 1


def test_a_changed_quiz_must_be_passed_again(world):
    course = publish_course(lessons=1)
    pass_course(course, world.agent_a1)
    quiz = list(course.quiz.raw_data)
    quiz[0]["value"]["options"][0]["value"]["text"] = "10일"
    publish_again(course, material=True, quiz=quiz)
    version = latest_version(course)
    assert version.quiz_since == 2
    state = progress.refresh(course, world.agent_a1)
    assert not state.quiz_passed
    assert not progress.is_passed(state, version, course.has_quiz)


def test_a_scheduled_publish_records_its_version_when_it_goes_live(world):
    from datetime import timedelta

    from django.utils import timezone

    course = publish_course(lessons=1)
    course.go_live_at = timezone.now() + timedelta(hours=1)
    course.save_revision().publish()
    assert CourseVersion.objects.filter(course=course).count() == 1
