"""People who sign in."""

from asgiref.sync import sync_to_async
from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _


def is_admin_permission(perm: str) -> bool:
    """A permission of the Wagtail admin (``wagtailadmin.access_admin``, ``wagtailcore.*``...)."""
    return perm.partition(".")[0].startswith("wagtail")


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

    @cached_property
    def is_vendor_side(self) -> bool:
        """Works, or worked, for a vendor: an agent, team lead or vendor manager."""
        try:
            self.agent_profile  # noqa: B018 - the related row's existence is the answer
        except ObjectDoesNotExist:
            return False
        return True

    # The Wagtail admin belongs to the client: vendor-side people never get into it, even
    # holding a client role or superuser status by mistake. Decided here rather than in an
    # authentication backend because Django grants an active superuser every permission
    # before any backend is asked.
    def has_perm(self, perm, obj=None):
        if is_admin_permission(perm) and self.is_vendor_side:
            return False
        return super().has_perm(perm, obj)

    async def ahas_perm(self, perm, obj=None):
        return await sync_to_async(self.has_perm)(perm, obj)

    def has_module_perms(self, app_label):
        if is_admin_permission(f"{app_label}.") and self.is_vendor_side:
            return False
        return super().has_module_perms(app_label)

    async def ahas_module_perms(self, app_label):
        return await sync_to_async(self.has_module_perms)(app_label)
