"""Lessons and quiz questions: StreamField blocks, so that each keeps a stable id across
revisions (progress and answers refer to those ids, never to positions)."""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks

from knowledge.blocks import KnowledgeBodyBlock
from portal.questions import QuestionBlock


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


class QuizBlock(blocks.StreamBlock):
    question = QuestionBlock()
