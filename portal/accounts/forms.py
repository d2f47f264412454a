"""The sign-in forms (portal and Wagtail admin) and the password reset form."""

import math

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from wagtail.admin.forms.auth import LoginForm as WagtailLoginForm


def locked_out_message() -> str:
    minutes = math.ceil(settings.LOGIN_FAILURE_WINDOW_SECONDS / 60)
    # A new password does not lift the lockout, so waiting is the one thing to suggest.
    return ngettext(
        "Too many failed sign-ins to this account from this address. "
        "Try again in %(minutes)d minute.",
        "Too many failed sign-ins to this account from this address. "
        "Try again in %(minutes)d minutes.",
        minutes,
    ) % {"minutes": minutes}


class LockedOutMessageMixin:
    """Say plainly that sign-in is paused, rather than 'wrong password'.

    django-axes marks the request once the failure that reaches the limit is counted, and
    for every attempt refused after it; the response then is this form, with this message
    (``portal.accounts.views.locked_out``).
    """

    def clean(self):
        try:
            return super().clean()
        except forms.ValidationError:
            if getattr(self.request, "axes_locked_out", False):
                raise forms.ValidationError(locked_out_message(), code="locked_out") from None
            raise


class PortalLoginForm(LockedOutMessageMixin, AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("The account or the password is not right. Both are case-sensitive."),
    }


class AdminLoginForm(LockedOutMessageMixin, WagtailLoginForm):
    pass


class LocalisedPasswordResetForm(PasswordResetForm):
    """The reset email speaks the account's language, not the visitor's browser's.

    Agents imported from a roster have no password yet: "Forgot your password?" is how
    they choose their first one, so accounts without a usable password get the link too
    (Django's form leaves them out). An address belongs to one account only (the roster
    import refuses a second), so the link reaches the person the address names.
    """

    def get_users(self, email):
        users = get_user_model()._default_manager.filter(email__iexact=email, is_active=True)
        return (user for user in users if user.email.casefold() == email.casefold())

    def send_mail(self, subject_template_name, email_template_name, context, *args, **kwargs):
        with translation.override(getattr(context.get("user"), "language", None)):
            super().send_mail(subject_template_name, email_template_name, context, *args, **kwargs)
