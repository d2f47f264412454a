"""StreamField blocks of knowledge content: what an article body may hold."""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.embeds.blocks import EmbedBlock
from wagtail.images.blocks import ImageChooserBlock

from portal.visibility import viewer, visible

RICH_TEXT_FEATURES = ["h2", "h3", "bold", "italic", "ol", "ul", "link", "document-link", "hr"]


class CalloutBlock(blocks.StructBlock):
    tone = blocks.ChoiceBlock(
        choices=[("info", _("Information")), ("warning", _("Caution")), ("danger", _("Never"))],
        default="info",
        label=_("tone"),
    )
    text = blocks.RichTextBlock(features=["bold", "italic", "link", "ul"], label=_("text"))

    class Meta:
        icon = "warning"
        label = _("Callout")
        template = "knowledge/blocks/callout.html"


class FaqBlock(blocks.StructBlock):
    items = blocks.ListBlock(
        blocks.StructBlock(
            [
                ("question", blocks.CharBlock(label=_("question"))),
                ("answer", blocks.RichTextBlock(features=RICH_TEXT_FEATURES, label=_("answer"))),
            ]
        ),
        label=_("questions"),
    )

    class Meta:
        icon = "help"
        label = _("FAQ")
        template = "knowledge/blocks/faq.html"


class RelatedPoliciesBlock(blocks.StructBlock):
    policies = blocks.ListBlock(
        blocks.PageChooserBlock(page_type="knowledge.AnswerPolicyPage"), label=_("policies")
    )

    class Meta:
        icon = "link"
        label = _("Related answer policies")
        template = "knowledge/blocks/related_policies.html"

    def get_context(self, value, parent_context=None):

        context = super().get_context(value, parent_context)
        # A policy limited to another vendor is not even named to this reader.
        context["policies"] = visible(viewer(), value["policies"])
        return context


class ImageBlock(blocks.StructBlock):
    image = ImageChooserBlock(label=_("image"))
    caption = blocks.CharBlock(required=False, label=_("caption"))

    class Meta:
        icon = "image"
        label = _("Image")
        template = "knowledge/blocks/image.html"


class KnowledgeBodyBlock(blocks.StreamBlock):
    text = blocks.RichTextBlock(features=RICH_TEXT_FEATURES, label=_("Text"))
    image = ImageBlock()
    document = DocumentChooserBlock(label=_("Document"), template="knowledge/blocks/document.html")
    video = EmbedBlock(label=_("Video"), max_width=800)
    callout = CalloutBlock()
    faq = FaqBlock()
    related_policies = RelatedPoliciesBlock()
