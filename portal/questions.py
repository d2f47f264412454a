"""Multiple-choice questions, asked the same way by a notice's check of understanding and
a course's quiz: the wording, whether several answers are right, the answers, and what
to show someone who answered wrongly. Each app grades its own."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.blocks.struct_block import StructBlockValidationError


class AnswerBlock(blocks.StructBlock):
    text = blocks.CharBlock(label=_("Answer"), max_length=300)
    correct = blocks.BooleanBlock(label=_("Correct"), required=False)


class QuestionBlock(blocks.StructBlock):
    question = blocks.CharBlock(label=_("Question"), max_length=500)
    multiple = blocks.BooleanBlock(
        label=_("Multiple choice"),
        required=False,
        help_text=_("Several answers are correct and the agent must choose all of them."),
    )
    options = blocks.ListBlock(AnswerBlock(), min_num=2, label=_("Answers"))
    explanation = blocks.TextBlock(
        label=_("Explanation"),
        required=False,
        help_text=_("Shown after a wrong answer, to point the agent to what they missed."),
    )

    class Meta:
        icon = "help"
        label = _("Question")

    def clean(self, value):
        value = super().clean(value)
        correct = sum(1 for option in value["options"] if option["correct"])
        if correct == 0:
            raise StructBlockValidationError(
                block_errors={"options": ValidationError(_("Mark at least one answer correct."))}
            )
        if correct > 1 and not value["multiple"]:
            raise StructBlockValidationError(
                block_errors={
                    "options": ValidationError(
                        _("A single-choice question has exactly one correct answer.")
                    )
                }
            )
        return value


def question(text, options, correct, *, multiple=False, explanation="") -> dict:
    """A ``QuestionBlock`` value: ``options`` the answers' texts, ``correct`` the
    positions of the right ones."""
    return {
        "question": text,
        "multiple": multiple,
        "options": [{"text": option, "correct": i in correct} for i, option in enumerate(options)],
        "explanation": explanation,
    }
