"""Courses for tests: the app's builders (``training.builders``) with the defaults these
tests share, on a database that may have lost its site tree."""

from wagtail.test.utils.form_data import rich_text, streamfield

from home.site_tree import ensure_site_tree
from tests.admin_forms import page_form
from training import builders
from training.builders import text


def training_section():
    # Transactional tests start from an empty database, without the migrated site tree.
    ensure_site_tree()
    return builders.training_section()


def lesson(title, words="내용"):
    return builders.lesson(title, 5, text(f"<p>{words}</p>"))


def question(wording, options, correct, multiple=False, explanation="설명"):
    return builders.quiz_question(
        wording, options, correct, multiple=multiple, explanation=explanation
    )


QUESTIONS = [
    question("환불 접수 기간은?", ["7일", "14일", "30일"], {1}),
    question(
        "상담사가 바로 결정하는 것은?", ["쿠폰 재발급", "3만 원 환불", "VIP 보상"], {0, 1}, True
    ),
]


def publish_course(
    title="환불 정책 교육", *, lessons=3, questions=QUESTIONS, required=True, **fields
):
    training_section()
    return builders.publish_course(
        title,
        summary=fields.pop("summary", "환불과 교환을 배웁니다."),
        estimated_minutes=fields.pop("estimated_minutes", 30),
        required_for_go_live=required,
        lessons=[lesson(f"{n}강") for n in range(1, lessons + 1)],
        quiz=questions,
        **fields,
    )


def list_block(items):
    """Form data of a ListBlock of struct values."""
    data = {"count": len(items)}
    for index, item in enumerate(items):
        data |= {f"{index}-deleted": "", f"{index}-order": str(index)}
        data |= {f"{index}-value-{key}": value for key, value in item.items()}
    return data


def course_form(questions=None, **overrides):
    """The admin's form for a new course, filled in (``None`` leaves a field out)."""
    lesson = {
        "title": "환불 접수 기준",
        "minutes": "10",
        "body": streamfield([("text", rich_text("<p>수령 후 14일 이내.</p>"))]),
    }
    options = [
        {"text": "7일", "correct": ""},
        {"text": "14일", "correct": "on"},
    ]
    question = {
        "question": "환불 접수 기간은?",
        "multiple": "",
        "options": list_block(options),
        "explanation": "14일입니다.",
    }
    data = {
        "title": "환불 정책 교육",
        "slug": "refund-course",
        "summary": "환불을 기준대로 접수합니다.",
        "estimated_minutes": "30",
        "required_for_go_live": "on",
        "audience_everyone": "on",
        "audience_vendors": [],
        "audience_teams": [],
        "audience_channels": [],
        "lessons": streamfield([("lesson", lesson)]),
        "quiz": streamfield(questions if questions is not None else [("question", question)]),
        "pass_mark": "80",
        "max_attempts": "3",
        "attempt_wait_minutes": "30",
        "shuffle": "on",
        "material_change": "on",
    }
    return page_form(data, **overrides)
