"""The editing form of answer policies: a change to the rule itself (authority, limits,
conditions, scripts, dates) published or sent for approval without a notice asks the
publisher to confirm that no one will be told. What counts is the page type's
``material_fields``; a title or summary reworded is not such a change."""

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.fields import RichTextField

from portal.diffs import paragraph_texts

#: The editor's buttons that make a draft go live, now or once approved.
GOING_LIVE = ("action-publish", "action-submit")


class KnowledgePageForm(WagtailAdminPageForm):
    publish_without_notice = forms.BooleanField(
        label=_("Publish without a notice: no one will be told"),
        required=False,
        help_text=_(
            "For a rule, limit or script that changes, use “Schedule with a notice…” so "
            "the agents concerned are told and confirm it."
        ),
    )

    @staticmethod
    def publish_panels():

        return [MultiFieldPanel([FieldPanel("publish_without_notice")], heading=_("Publishing"))]

    def clean(self):
        cleaned = super().clean()
        going_live = any(action in self.data for action in GOING_LIVE)
        if going_live and not cleaned.get("publish_without_notice") and self.changes_the_rule():
            self.add_error(
                "publish_without_notice",
                _(
                    "This changes what agents tell customers, and no one will be told. "
                    "Schedule it with a notice, or tick this box to publish it anyway."
                ),
            )
        return cleaned

    def changes_the_rule(self) -> bool:
        """Does the form change one of the live page's ``material_fields``?"""
        names = getattr(self._meta.model, "material_fields", ())
        page = self.instance
        if not names or not page.pk or not page.live:
            return False
        live = type(page).objects.get(pk=page.pk)
        for name in names:
            if name in self.formsets:
                if _rows(self.formsets[name]) != _live_rows(getattr(live, name)):
                    return True
            elif name in self.cleaned_data and _comparable(
                live, name, self.cleaned_data[name]
            ) != _comparable(live, name, getattr(live, name)):
                return True
        return False


def _comparable(page, name, value):
    """Rich text as its paragraphs' words (the editor's markup and empty paragraphs are
    not a change); text without surrounding blanks; anything else as it is."""
    if isinstance(page._meta.get_field(name), RichTextField):
        return paragraph_texts(value)
    return _same(value)


def _same(value):
    """A value as compared: text without its surrounding blanks, anything else as is."""
    return str(value).strip() if isinstance(value, str) else value


def _rows(formset) -> list:
    formset.is_valid()  # the page form is cleaned before its formsets are
    return sorted(
        (form.cleaned_data.get("channel"), _same(form.cleaned_data.get("text")))
        for form in formset.forms
        if getattr(form, "cleaned_data", None) and not form.cleaned_data.get("DELETE")
    )


def _live_rows(manager) -> list:
    return sorted((row.channel, _same(row.text)) for row in manager.all())
