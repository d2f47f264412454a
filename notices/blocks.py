"""The check of understanding: questions an agent must answer correctly before confirming
(``portal.questions``, the same questions a course's quiz asks)."""

from wagtail import blocks

from portal.questions import QuestionBlock


class UnderstandingCheckBlock(blocks.StreamBlock):
    question = QuestionBlock()
