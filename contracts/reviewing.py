"""Review notes: what the client and a vendor agreed at the monthly review of the
contract's KPIs, written on the board by a client manager or by the vendor's manager.

A note is added, never edited (``ReviewNote``). The form checks everything before
anything is written: the contract must be one the writer may see and write for, the
month one the board shows, the text present and at most 4,000 characters.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from portal.listing import FilterForm
from portal.organisation.scoping import Reach, viewer_scope
from portal.text import without_control_characters

from .models import REVIEW_NOTE_MAX_LENGTH, ReviewNote
from .periods import Period, parse_period, period_label

NOTE_PERMISSION = "contracts.add_reviewnote"


def may_write_notes(user) -> bool:
    """A vendor's manager, for their vendor; client staff who agree contracts (client
    managers). Team leads, agents and the client's editors read no board or write none."""
    scope = viewer_scope(user)
    if scope.reach is Reach.VENDOR:
        return True
    return scope.is_client_staff and user.has_perm(NOTE_PERMISSION)


class ReviewNoteForm(FilterForm):
    """One note for one of ``boards``' contracts (the viewer's), for a month it shows."""

    contract = forms.IntegerField(widget=forms.HiddenInput)
    period = forms.ChoiceField(label=_("Month reviewed"))
    text = forms.CharField(
        label=_("What was agreed"),
        max_length=REVIEW_NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": _("Write what was agreed."),
            "max_length": _(
                "A review note is at most %(limit_value)d characters (this one has %(show_value)d)."
            ),
        },
    )

    def __init__(self, *args, board, **kwargs):
        self.board = board
        kwargs.setdefault("auto_id", f"note-{board.contract.pk}-%s")
        super().__init__(*args, **kwargs)
        months = board.review_months
        self.fields["period"].choices = [
            (period_label(month.start, Period.MONTH), period_label(month.start, Period.MONTH))
            for month in months
        ]
        if months:
            self.fields["period"].initial = period_label(months[0].start, Period.MONTH)
        self.fields["contract"].initial = board.contract.pk

    def clean_contract(self):
        if self.cleaned_data["contract"] != self.board.contract.pk:
            raise ValidationError(_("This note is not for this contract."))
        return self.board.contract

    def clean_period(self):
        try:
            return parse_period(self.cleaned_data["period"], Period.MONTH)
        except ValidationError as error:
            raise ValidationError(error.messages) from None

    def clean_text(self):
        text = without_control_characters(self.cleaned_data["text"]).strip()
        if not text:
            raise ValidationError(_("Write what was agreed."))
        return text


def add_review_note(contract, period_start, text: str, author) -> ReviewNote:
    """Keep what was agreed for ``contract``'s month starting on ``period_start``."""
    return ReviewNote.objects.create(
        contract=contract, period_start=period_start, text=text, author=author
    )
