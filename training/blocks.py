"""Lessons and quiz questions: StreamField blocks, so that each keeps a stable id across
revisions (progress and answers refer to those ids, never to positions)."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.blocks.struct_block import StructBlockValidationError

from knowledge.blocks import KnowledgeBodyBlock


class LessonBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("Lesson title"), max_length=200)
    minutes = blocks.IntegerBlock(
        label=_("Minutes"), required=False, min_value=1, help_text=_("Estimated reading time.")
    )
    # The same blocks as a knowledge article: text, images, documents, video, callouts,
    # FAQs and links to answer policies.
    body = KnowledgeBodyBlock(label=_("Content"))

    class Meta:
        icon = "doc-full"
        label = _("Lesson")


class LessonsBlock(blocks.StreamBlock):
    lesson = LessonBlock()

    class Meta:
        min_num = 1


class OptionBlock(blocks.StructBlock):
    text = blocks.CharBlock(label=_("Answer"), max_length=300)
    correct = blocks.BooleanBlock(label=_("Correct"), required=False)


class QuizQuestionBlock(blocks.StructBlock):
    question = blocks.CharBlock(label=_("Question"), max_length=500)
    multiple = blocks.BooleanBlock(
        label=_("Multiple choice"),
        required=False,
        help_text=_("Several answers are correct and the agent must choose all of them."),
    )
    options = blocks.ListBlock(OptionBlock(), min_num=2, label=_("Answers"))
    explanation = blocks.TextBlock(
        label=_("Explanation"),
        required=False,
        help_text=_("Shown after the attempt when this question was answered wrongly."),
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


class QuizBlock(blocks.StreamBlock):
    question = QuizQuestionBlock()
