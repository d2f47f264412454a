"""The editing form of policies and articles: a material change published without a
notice is published only once the publisher confirms that no one will be told."""

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminPageForm


class KnowledgePageForm(WagtailAdminPageForm):
    material_change = forms.BooleanField(
        label=_("This changes what agents tell customers (a material change)"),
        required=False,
        help_text=_(
            "For a rule, limit or script that changes, use “Schedule with a notice…” so "
            "the agents concerned are told and confirm it."
        ),
    )
    publish_without_notice = forms.BooleanField(
        label=_("Publish without a notice: no one will be told"),
        required=False,
    )

    @staticmethod
    def publish_panels():
        from wagtail.admin.panels import FieldPanel, MultiFieldPanel

        return [
            MultiFieldPanel(
                [FieldPanel("material_change"), FieldPanel("publish_without_notice")],
                heading=_("Publishing"),
            )
        ]

    def clean(self):
        cleaned = super().clean()
        publishing = "action-publish" in self.data
        if (
            publishing
            and cleaned.get("material_change")
            and not cleaned.get("publish_without_notice")
        ):
            self.add_error(
                "publish_without_notice",
                _(
                    "No one will be told of this material change. Schedule it with a "
                    "notice, or tick this box to publish it anyway."
                ),
            )
        return cleaned
