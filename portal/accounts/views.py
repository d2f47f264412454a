"""Sign-in, sign-out and language views, and what a locked-out sign-in is answered with."""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.forms.forms import NON_FIELD_ERRORS
from django.shortcuts import render
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language
from wagtail.admin.views import account as wagtail_account

from .forms import PortalLoginForm, locked_out_message

#: Too Many Requests: what a sign-in refused by the throttle is answered with.
LOCKED_OUT_STATUS = 429


class LoginView(auth_views.LoginView):
    form_class = PortalLoginForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        """Sign-in switches the interface to the person's own language."""
        response = super().form_valid(form)
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            form.get_user().language,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            samesite="Lax",
        )
        return response


def locked_out(request, original_response=None, credentials=None):
    """django-axes' answer to a sign-in from an address the account is locked out from.

    The sign-in forms have already said why (``LockedOutMessageMixin``), so their page
    stands; any other way in gets the same words on a page of its own.
    """
    form = (getattr(original_response, "context_data", None) or {}).get("form")
    if form is not None and form.has_error(NON_FIELD_ERRORS, "locked_out"):
        original_response.status_code = LOCKED_OUT_STATUS
        return original_response
    return render(
        request,
        "accounts/locked_out.html",
        {"message": locked_out_message()},
        status=LOCKED_OUT_STATUS,
    )


class AdminLogoutView(wagtail_account.LogoutView):
    """The Wagtail admin's sign-out, by POST only, like the portal's.

    Wagtail's view deletes the session cookie even after Django's view has refused a GET,
    so a link or an image pointing at it signed the person out.
    """

    def dispatch(self, request, *args, **kwargs):
        if request.method != "POST":
            return self.http_method_not_allowed(request, *args, **kwargs)
        return super().dispatch(request, *args, **kwargs)


@require_POST
def set_language(request):
    """Django's language switch, remembered on the account for the next sign-in and emails."""
    response = django_set_language(request)
    language = request.POST.get("language")
    user = request.user
    if user.is_authenticated and language in dict(settings.LANGUAGES) and user.language != language:
        user.language = language
        user.save(update_fields=["language"])
    return response
