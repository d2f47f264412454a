from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms.auth import LoginForm as WagtailLoginForm

from .throttling import is_throttled

THROTTLED_MESSAGE = _(
    "This account has had too many failed sign-in attempts. "
    "Wait an hour, or reset your password by email."
)


class ThrottleMessageMixin:
    """Say plainly that the account is throttled, rather than 'wrong password'."""

    def clean(self):
        if is_throttled(self.cleaned_data.get("username")):
            raise forms.ValidationError(THROTTLED_MESSAGE, code="throttled")
        return super().clean()


class PortalLoginForm(ThrottleMessageMixin, AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("The account or the password is not right. Both are case-sensitive."),
    }


class AdminLoginForm(ThrottleMessageMixin, WagtailLoginForm):
    pass


class LocalisedPasswordResetForm(PasswordResetForm):
    """The reset email speaks the account's language, not the visitor's browser's."""

    def send_mail(self, subject_template_name, email_template_name, context, *args, **kwargs):
        with translation.override(getattr(context.get("user"), "language", None)):
            super().send_mail(subject_template_name, email_template_name, context, *args, **kwargs)
