from django.conf import settings
from django.contrib.auth import views as auth_views
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from .forms import PortalLoginForm


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
