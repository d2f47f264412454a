"""Which lesson a course's feedback is on: its title, read from the course for many items
at once (a listing, an export) or for one (its form, its owner's email)."""

from training.models import CoursePage


def with_lesson_titles(items) -> list:
    """``items`` as a list, each with ``lesson_title`` set, in one query whatever their
    number (none when no item is on a lesson)."""
    items = list(items)
    course_ids = {item.page_id for item in items if item.lesson_id}
    courses = CoursePage.objects.in_bulk(course_ids) if course_ids else {}
    for item in items:
        item.lesson_title = _title(courses.get(item.page_id), item.lesson_id)
    return items


def lesson_title(item) -> str:
    if not item.lesson_id:
        return ""
    return _title(CoursePage.objects.filter(pk=item.page_id).first(), item.lesson_id)


def _title(course, lesson_id) -> str:
    block = course.lesson_block(lesson_id) if course is not None and lesson_id else None
    # A lesson since removed from the course is still named by its id.
    return block.value["title"] if block is not None else lesson_id
