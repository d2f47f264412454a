"""Courses for tests: a training section, a helper that publishes a course, and an agent
who works through it."""

from wagtail.models import Site

from home.site_tree import ensure_site_tree
from training import progress
from training.models import CoursePage, TrainingIndexPage
from training.quiz import open_attempt, submit
from training.versions import latest_version


def training_section():
    ensure_site_tree()
    existing = TrainingIndexPage.objects.first()
    if existing:
        return existing
    home = Site.objects.get(is_default_site=True).root_page.specific
    section = TrainingIndexPage(title="교육", slug="training")
    home.add_child(instance=section)
    section.save_revision().publish()
    return section


def lesson(title, text="내용"):
    return ("lesson", {"title": title, "minutes": 5, "body": [("text", f"<p>{text}</p>")]})


def question(text, options, correct, multiple=False, explanation="설명"):
    return (
        "question",
        {
            "question": text,
            "multiple": multiple,
            "options": [{"text": o, "correct": i in correct} for i, o in enumerate(options)],
            "explanation": explanation,
        },
    )


QUESTIONS = [
    question("환불 접수 기간은?", ["7일", "14일", "30일"], {1}),
    question(
        "상담사가 바로 결정하는 것은?", ["쿠폰 재발급", "3만 원 환불", "VIP 보상"], {0, 1}, True
    ),
]


def publish_course(
    title="환불 정책 교육",
    *,
    lessons=3,
    questions=QUESTIONS,
    everyone=True,
    vendors=(),
    teams=(),
    channels=(),
    required=True,
    user=None,
    **fields,
):
    course = CoursePage(
        title=title,
        summary="환불과 교환을 배웁니다.",
        estimated_minutes=30,
        required_for_go_live=required,
        audience_everyone=everyone,
        lessons=[lesson(f"{n}강") for n in range(1, lessons + 1)],
        quiz=list(questions),
        **fields,
    )
    training_section().add_child(instance=course)
    course.audience_vendors.set(vendors)
    course.audience_teams.set(teams)
    course.audience_channels.set(channels)
    course.save()
    course.save_revision(user=user).publish()
    course.refresh_from_db()
    return course


def republish(course, *, material, **changes):
    for name, value in changes.items():
        setattr(course, name, value)
    course.material_change = material
    course.save_revision().publish()
    course.refresh_from_db()
    return course


def answers_for(course, attempt, wrong=0):
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


def read_all_lessons(course, agent):
    for item in latest_version(course).lessons:
        progress.complete_lesson(course, agent, item["id"])


def pass_course(course, agent):
    read_all_lessons(course, agent)
    if course.has_quiz:
        attempt = open_attempt(course, agent)
        return submit(course, agent, attempt.pk, answers_for(course, attempt))
    return None
