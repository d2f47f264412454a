from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from wagtail.users.apps import WagtailUsersAppConfig


class AccountsConfig(AppConfig):
    name = "portal.accounts"
    label = "accounts"
    verbose_name = _("Accounts")


class WagtailUsersConfig(WagtailUsersAppConfig):
    """Wagtail's users app, with the portal's user forms (``admin_users``)."""

    user_viewset = "portal.accounts.admin_users.PortalUserViewSet"
