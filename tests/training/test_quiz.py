"""Quiz attempts: scored on the server, tampering refused with nothing recorded."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from training.builders import quiz_answers, read_lessons
from training.models import QuizAttempt
from training.quiz import AttemptRefused, open_attempt, quiz_state, submit

from .builders import publish_course, question

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _in_english(english):
    """Refusals are matched by their English text."""


@pytest.fixture
def course(world):
    course = publish_course(lessons=1, max_attempts=2, attempt_wait_minutes=30)
    read_lessons(course, world.agent_a1)
    return course


def test_right_answers_pass_and_the_score_is_stored(world, course):
    attempt = open_attempt(course, world.agent_a1)
    result = submit(course, world.agent_a1, attempt.pk, quiz_answers(course, attempt))
    assert (result.correct, result.total, result.score, result.passed) == (2, 2, 100, True)
    stored = QuizAttempt.objects.get(pk=attempt.pk)
    assert stored.submitted_at is not None
    assert set(stored.answers) == {item["id"] for item in attempt.shown}


def test_a_multiple_choice_question_needs_every_right_answer(world, course):
    attempt = open_attempt(course, world.agent_a1)
    answers = quiz_answers(course, attempt)
    multiple = next(b.id for b in course.quiz if b.value["multiple"])
    answers[multiple] = answers[multiple][:1]  # one of the two right answers only
    result = submit(course, world.agent_a1, attempt.pk, answers)
    assert (result.correct, result.score, result.passed) == (1, 50, False)


def test_the_quiz_opens_after_the_lessons(world):
    course = publish_course(lessons=2)
    with pytest.raises(AttemptRefused, match="lessons first"):
        open_attempt(course, world.agent_a1)
    assert not QuizAttempt.objects.exists()


def test_the_page_never_says_which_answer_is_right(client, world, course):
    client.force_login(world.agent_a1.user)
    response = client.get(course.url + "quiz/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "correct" not in body.lower()
    for block in course.quiz:
        for option in block.value["options"].bound_blocks:
            assert f'value="{option.id}"' in body  # ids only, and every one of them


def test_a_reload_shows_the_same_attempt_in_the_same_order(world, course):
    first = open_attempt(course, world.agent_a1)
    again = open_attempt(course, world.agent_a1)
    assert first.pk == again.pk and first.shown == again.shown


@pytest.mark.parametrize(
    "tamper",
    [
        "unknown question",
        "answer of another question",
        "two answers to a single-choice question",
        "a question left out",
    ],
)
def test_tampered_answers_are_refused_and_nothing_is_recorded(world, course, tamper):
    attempt = open_attempt(course, world.agent_a1)
    answers = quiz_answers(course, attempt)
    single, multiple = (
        next(b for b in course.quiz if not b.value["multiple"]),
        next(b for b in course.quiz if b.value["multiple"]),
    )
    if tamper == "unknown question":
        answers["forged-question"] = ["x"]
    elif tamper == "answer of another question":
        answers[single.id] = [multiple.value["options"].bound_blocks[0].id]
    elif tamper == "two answers to a single-choice question":
        answers[single.id] = [o.id for o in single.value["options"].bound_blocks[:2]]
    else:
        del answers[single.id]
    with pytest.raises(AttemptRefused):
        submit(course, world.agent_a1, attempt.pk, answers)
    stored = QuizAttempt.objects.get(pk=attempt.pk)
    assert stored.submitted_at is None and stored.score is None and stored.answers == {}


def test_a_repeated_submission_is_refused(world, course):
    attempt = open_attempt(course, world.agent_a1)
    answers = quiz_answers(course, attempt, wrong=2)
    submit(course, world.agent_a1, attempt.pk, answers)
    with pytest.raises(AttemptRefused, match="already submitted"):
        submit(course, world.agent_a1, attempt.pk, quiz_answers(course, attempt))
    assert QuizAttempt.objects.get(pk=attempt.pk).passed is False
    assert QuizAttempt.objects.filter(submitted_at__isnull=False).count() == 1


def test_another_agents_attempt_cannot_be_submitted(world, course):
    read_lessons(course, world.agent_a2)
    attempt = open_attempt(course, world.agent_a2)
    with pytest.raises(AttemptRefused):
        submit(course, world.agent_a1, attempt.pk, quiz_answers(course, attempt))
    assert QuizAttempt.objects.get(pk=attempt.pk).submitted_at is None


def test_a_wait_between_attempts_and_a_limit(world, course):
    agent = world.agent_a1
    attempt = open_attempt(course, agent)
    submit(course, agent, attempt.pk, quiz_answers(course, attempt, wrong=1))
    with pytest.raises(AttemptRefused, match="try again from"):
        open_attempt(course, agent)
    QuizAttempt.objects.update(submitted_at=timezone.now() - timedelta(hours=1))
    attempt = open_attempt(course, agent)
    submit(course, agent, attempt.pk, quiz_answers(course, attempt, wrong=1))
    QuizAttempt.objects.update(submitted_at=timezone.now() - timedelta(hours=1))
    state = quiz_state(course, agent)
    assert state.attempts_left == 0 and not state.can_start
    with pytest.raises(AttemptRefused, match="all 2 attempts"):
        open_attempt(course, agent)
    assert QuizAttempt.objects.count() == 2


def test_an_attempt_opened_before_the_quiz_changed_is_not_graded(world, course):
    from portal.publishing import publish_again

    attempt = open_attempt(course, world.agent_a1)
    answers = quiz_answers(course, attempt)
    publish_again(course, material=True, quiz=[question("새 질문", ["가", "나"], {0})])
    with pytest.raises(AttemptRefused, match="changed"):
        submit(course, world.agent_a1, attempt.pk, answers)


def test_the_quiz_form_posts_and_shows_the_result(client, world, course):
    client.force_login(world.agent_a1.user)
    client.get(course.url + "quiz/")
    attempt = QuizAttempt.objects.get()
    data = {"attempt": attempt.pk}
    for question_id, options in quiz_answers(course, attempt, wrong=1).items():
        data[f"q-{question_id}"] = options
    response = client.post(course.url + "quiz/", data, follow=True)
    assert response.status_code == 200
    assert "50%" in response.content.decode()
    explanation = response.context["questions"]
    assert sum(1 for q in explanation if q["explanation"]) == 1
    # A repeat of the same POST: a message, the result stands.
    response = client.post(course.url + "quiz/", data, follow=True)
    messages = [str(m) for m in response.context["messages"]]
    assert any("already submitted" in m or "이미 제출" in m for m in messages)


def test_a_forged_attempt_id_gets_a_message_not_a_500(client, world, course):
    client.force_login(world.agent_a1.user)
    response = client.post(course.url + "quiz/", {"attempt": "abc"}, follow=True)
    assert response.status_code == 200
    assert [m.level_tag for m in response.context["messages"]] == ["error"]


def test_only_the_audience_may_open_a_course(client, world):
    course = publish_course(everyone=False, vendors=[world.vendor_a])
    client.force_login(world.agent_b1.user)
    assert client.get(course.url).status_code == 404
    assert client.get(course.url + "quiz/").status_code == 404
    client.force_login(world.agent_a1.user)
    assert client.get(course.url).status_code == 200
    assert reverse("training:readiness")  # the manager view exists beside it


def test_another_agents_result_is_404(client, world, course):
    attempt = open_attempt(course, world.agent_a1)
    submit(course, world.agent_a1, attempt.pk, quiz_answers(course, attempt))
    result_url = f"{course.url}quiz/attempts/{attempt.pk}/"
    client.force_login(world.agent_a1.user)
    assert client.get(result_url).status_code == 200
    read_lessons(course, world.agent_a2)
    client.force_login(world.agent_a2.user)
    assert client.get(result_url).status_code == 404
