"""Courses made in code as a publisher makes them in the admin, and worked through as an
agent does: the demo loader and the tests build theirs with these."""

from portal.publishing import publish_new
from portal.questions import question

from . import progress
from .models import CoursePage, TrainingIndexPage
from .quiz import open_attempt, submit
from .versions import latest_version

SECTION = {"title": "교육", "slug": "training", "intro": "오픈 전 필수 교육과 퀴즈"}


def training_section() -> TrainingIndexPage:
    """The site's training section, made if there is none."""
    return TrainingIndexPage.ensure(**SECTION)


def text(html) -> dict:
    """A lesson's block of text."""
    return {"type": "text", "value": html}


def callout(tone, words) -> dict:
    """A lesson's call-out (``info``, ``warning``...)."""
    return {"type": "callout", "value": {"tone": tone, "text": f"<p>{words}</p>"}}


def lesson(title, minutes, *body) -> tuple:
    return ("lesson", {"title": title, "minutes": minutes, "body": list(body)})


def quiz_question(wording, options, correct, **kwargs) -> tuple:
    """A quiz question (see ``portal.questions.question``)."""
    return ("question", question(wording, options, correct, **kwargs))


def publish_course(
    title, *, lessons, quiz=(), everyone=True, vendors=(), teams=(), channels=(), **fields
) -> CoursePage:
    """A course in the training section, for everyone or the vendors, teams and channels
    given, published by ``user``: its version is recorded."""
    user = fields.pop("user", None)
    course = CoursePage(
        title=title, audience_everyone=everyone, lessons=list(lessons), quiz=list(quiz), **fields
    )
    return publish_new(
        training_section(),
        course,
        user=user,
        audience_vendors=vendors,
        audience_teams=teams,
        audience_channels=channels,
    )


def read_lessons(course, agent, count=None) -> None:
    """The agent completes the first ``count`` lessons of the latest version (all of them
    by default)."""
    for item in latest_version(course).lessons[:count]:
        progress.complete_lesson(course, agent, item["id"])


def quiz_answers(course, attempt, wrong=0) -> dict[str, list[str]]:
    """Right answers to the attempt's questions; the first ``wrong`` ones answered wrongly."""
    questions = {block.id: block.value for block in course.quiz}
    answers = {}
    for index, item in enumerate(attempt.shown):
        options = questions[item["id"]]["options"].bound_blocks
        right = [o.id for o in options if o.value["correct"]]
        if index < wrong:
            right = [next(o.id for o in options if not o.value["correct"])]
        answers[item["id"]] = right
    return answers


def take_quiz(course, agent, wrong=0):
    """The agent opens the quiz and submits it, ``wrong`` answers wrong; the result."""
    attempt = open_attempt(course, agent)
    return submit(course, agent, attempt.pk, quiz_answers(course, attempt, wrong))


def pass_course(course, agent):
    """Every lesson read and the quiz (if any) passed; the quiz's result."""
    read_lessons(course, agent)
    return take_quiz(course, agent) if course.has_quiz else None
