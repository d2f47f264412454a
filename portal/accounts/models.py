"""People who sign in, and the failed sign-ins that throttle an account."""

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """Anyone who signs in: agents, vendor staff and client staff.

    Korean names are written whole (홍길동), so ``name`` holds the full name and the
    inherited first/last name fields stay empty.
    """

    name = models.CharField(_("name"), max_length=150, blank=True)
    language = models.CharField(
        _("language"),
        max_length=8,
        choices=settings.LANGUAGES,
        default="ko",
        help_text=_("Language of the interface and of the emails this person receives."),
    )

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"

    def get_full_name(self):
        return self.name or super().get_full_name() or self.username

    def get_short_name(self):
        return self.name or super().get_short_name() or self.username

    def __str__(self):
        return self.get_full_name()


class LoginFailure(models.Model):
    """One failed sign-in, kept for an hour or so to throttle guessing on one account."""

    username_key = models.CharField(max_length=150, db_index=False)
    failed_at = models.DateTimeField(auto_now_add=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["username_key", "failed_at"])]
        verbose_name = _("failed sign-in")
        verbose_name_plural = _("failed sign-ins")

    def __str__(self):
        return f"{self.username_key} {self.failed_at:%Y-%m-%d %H:%M}"
