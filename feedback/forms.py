"""The agent's feedback form and the owner's answer in the review queue."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.models import PageLogEntry, Revision

from knowledge.verification import client_staff
from notices.models import ChangeNoticePage
from portal.visibility import visible_page_ids

from .models import FeedbackItem, Kind, Status
from .reviewing import answer


class FeedbackForm(forms.ModelForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=Kind.choices, widget=forms.RadioSelect)

    class Meta:
        model = FeedbackItem
        fields = ["kind", "text", "customer_quote"]
        widgets = {
            "text": forms.Textarea(attrs={"rows": 4}),
            "customer_quote": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {"customer_quote": _("Optional. No names, phone numbers or order numbers.")}


class FeedbackReviewForm(WagtailAdminModelForm):
    """The owner's answer: a status, a reply and, when done, what resolved it."""

    resolved_only_when_done = _(
        "A revision or notice resolves an item only when its status is done."
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        item = self.instance
        if "owner" in self.fields:
            # Owners are client staff, as a page's content owner is.
            self.fields["owner"].queryset = client_staff().order_by("name", "username")
        if "resolved_by_revision" in self.fields:
            field = self.fields["resolved_by_revision"]
            # Only what agents came to read can resolve it: a revision of the same page
            # that went live, after the one the agent was reading (a draft never did).
            published = PageLogEntry.objects.filter(
                page_id=item.page_id, action="wagtail.publish", revision__isnull=False
            ).values("revision_id")
            revisions = Revision.page_revisions.filter(
                object_id=str(item.page_id), pk__in=published
            )
            if item.revision_id:
                revisions = revisions.filter(pk__gt=item.revision_id)
            field.queryset = revisions.order_by("-created_at")
            field.label_from_instance = _revision_label
        if "resolved_by_notice" in self.fields:
            # The notice's title is shown to the agent and their managers: only a notice
            # the agent may read, or another vendor's notice would leak to them.
            live = ChangeNoticePage.objects.live()
            readable = visible_page_ids(item.agent.user, live.values_list("pk", flat=True))
            self.fields["resolved_by_notice"].queryset = live.filter(pk__in=readable).order_by(
                "-first_published_at"
            )

    def clean(self):
        cleaned = super().clean()
        resolved = cleaned.get("resolved_by_revision") or cleaned.get("resolved_by_notice")
        if resolved and cleaned.get("status") != Status.DONE:
            raise forms.ValidationError(self.resolved_only_when_done)
        return cleaned

    def save(self, commit=True):
        # What resolved it is news too: the agent is credited, or no longer.
        answered = {"status", "reply", "resolved_by_revision", "resolved_by_notice"}
        changed = bool(answered & set(self.changed_data))
        item = super().save(commit=False)
        return answer(item, changed=changed) if commit else item


def _revision_label(revision) -> str:
    when = timezone.localtime(revision.created_at).strftime("%Y-%m-%d %H:%M")
    who = revision.user.get_full_name() if revision.user_id else ""
    return f"#{revision.pk} · {when} · {who}".rstrip(" ·")
