"""The decision form: what an agent (or a CRM, ``api``) says about one decision, checked
for shape before anything is read or written. The policy's own rules are checked by
``recording.record_decision``."""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from knowledge.models import AnswerScript

from .recording import normalise_customer

#: No amount delegated to an agent comes near this: anything larger is a slip of the keys.
MAX_AMOUNT_KRW = 100_000_000

# What people type around a number: thousands separators, spaces, the won sign or word.
_AMOUNT_DECORATION = re.compile(r"[\s,₩]|원$")


def parse_amount(value) -> int:
    """A whole, positive number of won from what was typed (``30,000원`` included);
    ``ValidationError`` with a message the agent can act on otherwise."""
    if isinstance(value, bool):
        value = ""
    text = _AMOUNT_DECORATION.sub("", str(value if value is not None else "").strip())
    if not text.isascii() or not text.isdigit():
        raise ValidationError(
            _("Enter the amount in won as a whole number, e.g. 30000."), code="invalid"
        )
    amount = int(text)
    if amount <= 0:
        raise ValidationError(_("The amount must be more than 0 won."), code="min_value")
    if amount > MAX_AMOUNT_KRW:
        raise ValidationError(
            _("%(amount)s won cannot be right: check the amount.") % {"amount": f"{amount:,}"},
            code="max_value",
        )
    return amount


class DecisionForm(forms.Form):
    channel = forms.ChoiceField(label=_("Channel"), choices=AnswerScript.CHANNELS)
    # Text, not a number input: "30,000원" as typed is understood (``parse_amount``).
    amount = forms.CharField(
        label=_("Amount (KRW)"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    customer = forms.CharField(
        label=_("Customer"),
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        help_text=_(
            "Phone number, email or member number: only used to count this customer's "
            "decisions, never stored."
        ),
    )
    reference = forms.CharField(label=_("Order or ticket reference"), max_length=64, required=False)
    note = forms.CharField(
        label=_("Note"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, policy, **kwargs):
        kwargs.setdefault("auto_id", "decision-%s")
        super().__init__(*args, **kwargs)
        self.policy = policy
        # An amount is asked only where the policy limits one.
        if policy.limit_amount_krw is None:
            del self.fields["amount"]

    def clean_amount(self):
        return parse_amount(self.cleaned_data["amount"])

    def clean_customer(self):
        customer = normalise_customer(self.cleaned_data["customer"])
        if not customer:
            raise ValidationError(_("Enter the customer's phone number, email or member number."))
        return customer
