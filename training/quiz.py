"""Quiz attempts, checked on the server.

Starting the quiz opens an attempt with the order it is shown in (shuffled once, so a
reload shows the same quiz); the page carries question and answer ids only, never which
answer is correct. A submission is taken only when it answers exactly the questions of
that attempt with answers that belong to them; anything else is refused with a message
and records nothing.
"""

import random
from dataclasses import dataclass
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from . import progress as progress_module
from .models import QuizAttempt
from .versions import latest_version


class AttemptRefused(Exception):
    """Shown to the agent as is; nothing was recorded."""


@dataclass
class QuizState:
    """Whether the agent may start (or continue) an attempt now, and if not, why."""

    passed: bool
    used: int
    allowed: int  # 0: no limit
    wait_until: object = None
    open_attempt: QuizAttempt | None = None

    @property
    def attempts_left(self) -> int | None:
        return None if not self.allowed else max(0, self.allowed - self.used)

    @property
    def can_start(self) -> bool:
        if self.passed or self.attempts_left == 0:
            return False
        return self.wait_until is None or self.open_attempt is not None


def _questions(course) -> dict:
    return {block.id: block.value for block in course.quiz}


def _option_ids(question) -> list[str]:
    return [bound.id for bound in question["options"].bound_blocks]


def _right_answers(question) -> set[str]:
    return {bound.id for bound in question["options"].bound_blocks if bound.value["correct"]}


def quiz_state(course, agent, version=None, now=None) -> QuizState:
    version = version or latest_version(course)
    now = now or timezone.now()
    attempts = list(
        QuizAttempt.objects.unscoped()
        .filter(agent=agent, course=course, quiz_version=version.quiz_since)
        .order_by("started_at")
    )
    submitted = [a for a in attempts if a.submitted_at]
    state = QuizState(
        passed=any(a.passed for a in submitted),
        used=len(submitted),
        allowed=course.max_attempts,
        open_attempt=next((a for a in attempts if a.submitted_at is None), None),
    )
    if submitted and course.attempt_wait_minutes and not state.passed:
        ready_at = submitted[-1].submitted_at + timedelta(minutes=course.attempt_wait_minutes)
        if ready_at > now:
            state.wait_until = ready_at
    return state


def open_attempt(course, agent) -> QuizAttempt:
    """The agent's open attempt at the current quiz, opened now if there is none."""
    version = latest_version(course)
    state = quiz_state(course, agent, version)
    if state.open_attempt is not None:
        return state.open_attempt
    if len(progress_module.done_lessons(course, agent, version)) < len(version.lessons):
        raise AttemptRefused(_("Finish the lessons first: the quiz opens after the last one."))
    if state.passed:
        raise AttemptRefused(_("You have already passed this quiz."))
    if state.attempts_left == 0:
        raise AttemptRefused(
            _("You have used all %(n)d attempts. Ask your team lead for help.")
            % {"n": state.allowed}
        )
    if state.wait_until is not None:
        raise AttemptRefused(
            _("You can try again from %(time)s. Use the time to review the lessons.")
            % {"time": timezone.localtime(state.wait_until).strftime("%H:%M")}
        )
    # An attempt opened before the quiz changed is stale: it is replaced, never graded.
    QuizAttempt.objects.unscoped().filter(
        agent=agent, course=course, submitted_at__isnull=True
    ).delete()
    shown = []
    rng = random.SystemRandom()
    for question_id, question in _questions(course).items():
        options = _option_ids(question)
        if course.shuffle:
            rng.shuffle(options)
        shown.append({"id": question_id, "options": options})
    if course.shuffle:
        rng.shuffle(shown)
    try:
        with transaction.atomic():
            return QuizAttempt.objects.create(
                agent=agent,
                course=course,
                version=version,
                quiz_version=version.quiz_since,
                shown=shown,
            )
    except IntegrityError:  # opened in another tab a moment ago
        return QuizAttempt.objects.unscoped().get(
            agent=agent, course=course, submitted_at__isnull=True
        )


def shown_questions(course, attempt) -> list[dict]:
    """The attempt's questions in the order shown, with answer texts and no correctness."""
    questions = _questions(course)
    result = []
    for number, item in enumerate(attempt.shown, start=1):
        question = questions.get(item["id"])
        if question is None:
            continue
        texts = {bound.id: bound.value["text"] for bound in question["options"].bound_blocks}
        result.append(
            {
                "number": number,
                "id": item["id"],
                "question": question["question"],
                "multiple": question["multiple"],
                "options": [(oid, texts[oid]) for oid in item["options"] if oid in texts],
            }
        )
    return result


def submit(course, agent, attempt_id, answers: dict[str, list[str]]) -> QuizAttempt:
    """Grade and record the attempt; ``answers`` maps question ids to chosen answer ids."""
    version = latest_version(course)
    with transaction.atomic():
        attempt = (
            QuizAttempt.objects.unscoped()
            .select_for_update()
            .filter(pk=attempt_id, agent=agent, course=course)
            .first()
        )
        if attempt is None:
            raise AttemptRefused(_("This quiz attempt does not exist. Start the quiz again."))
        if attempt.submitted_at is not None:
            raise AttemptRefused(
                _("This attempt was already submitted; its result stands. ")
                + _("Start a new attempt if you have any left.")
            )
        if attempt.quiz_version != version.quiz_since:
            raise AttemptRefused(
                _("The quiz changed while you were taking it. Please start it again.")
            )
        state = quiz_state(course, agent, version)
        if state.passed:
            raise AttemptRefused(_("You have already passed this quiz."))
        if state.attempts_left == 0:
            raise AttemptRefused(
                _("You have used all %(n)d attempts. Ask your team lead for help.")
                % {"n": state.allowed}
            )
        chosen = _validated(course, attempt, answers)
        questions = _questions(course)
        correct = 0
        for question_id, options in chosen.items():
            question = questions[question_id]
            correct += set(options) == _right_answers(question)
        total = len(chosen)
        attempt.answers = chosen
        attempt.correct = correct
        attempt.total = total
        attempt.score = round(100 * correct / total) if total else 100
        attempt.passed = attempt.score >= course.pass_mark
        attempt.submitted_at = timezone.now()
        attempt.save()
        progress_module.refresh(course, agent, version)
    return attempt


def _validated(course, attempt, answers) -> dict[str, list[str]]:
    shown = {item["id"]: item["options"] for item in attempt.shown}
    unknown = [qid for qid in answers if qid not in shown]
    if unknown:
        raise AttemptRefused(
            _("The answers sent do not match this quiz's questions. Reload the quiz and retry.")
        )
    questions = _questions(course)
    missing = []
    for number, (question_id, option_ids) in enumerate(shown.items(), start=1):
        chosen = answers.get(question_id, [])
        if any(option not in option_ids for option in chosen) or len(set(chosen)) != len(chosen):
            raise AttemptRefused(
                _("An answer sent does not belong to its question. Reload the quiz and retry.")
            )
        question = questions.get(question_id)
        if question is None:
            raise AttemptRefused(
                _("The quiz changed while you were taking it. Please start it again.")
            )
        if not chosen:
            missing.append(number)
        elif len(chosen) > 1 and not question["multiple"]:
            raise AttemptRefused(_("Question %(n)d takes one answer only.") % {"n": number})
    if missing:
        raise AttemptRefused(
            ngettext(
                "Answer every question: question %(numbers)s has no answer yet.",
                "Answer every question: questions %(numbers)s have no answer yet.",
                len(missing),
            )
            % {"numbers": ", ".join(str(n) for n in missing)}
        )
    return {qid: list(answers[qid]) for qid in shown}


def review(course, attempt) -> list[dict]:
    """After submission: each question, the agent's answers, right or wrong, and the
    explanation where wrong. The correct answers of a failed attempt stay hidden."""
    questions = _questions(course)
    result = []
    for item in shown_questions(course, attempt):
        question = questions[item["id"]]
        right = _right_answers(question)
        chosen = set(attempt.answers.get(item["id"], []))
        item["chosen"] = chosen
        item["is_right"] = chosen == right
        item["explanation"] = question["explanation"] if chosen != right else ""
        result.append(item)
    return result
