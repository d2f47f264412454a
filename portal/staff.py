"""The client's side of the admin: views and menu items for client staff only.

Vendor-side people never enter the Wagtail admin (``portal.accounts``); these guards say
so again at each client view, and send someone who arrives anyway to the portal page
that serves them, when there is one.
"""

from functools import wraps

from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from portal.organisation.scoping import viewer_scope


def is_client_staff(user) -> bool:
    return viewer_scope(user).is_client_staff


def client_staff_only(view, elsewhere: str | None = None):
    """``view`` for client staff; anyone else goes to the URL named ``elsewhere`` (with
    the same arguments), or is refused."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not is_client_staff(request.user):
            if elsewhere is None:
                raise PermissionDenied
            return redirect(elsewhere, *args, **kwargs)
        return view(request, *args, **kwargs)

    return wrapper


class ClientStaffOnlyMixin:
    """A class-based admin view for client staff; anyone else is refused."""

    def dispatch(self, request, *args, **kwargs):
        if not is_client_staff(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class ClientStaffMenuItem(MenuItem):
    """An admin menu item shown to client staff (holding ``permission``, if given)."""

    def __init__(self, *args, permission: str | None = None, **kwargs):
        self.permission = permission
        super().__init__(*args, **kwargs)

    def is_shown(self, request):
        if not is_client_staff(request.user):
            return False
        return self.permission is None or request.user.has_perm(self.permission)


def register_client_pages(
    urls, *, menu_label, icon: str, order: int, permission: str | None = None
):
    """Adds client staff's admin pages (``path`` objects, each named) and a menu item
    that opens the first one, shown to client staff holding ``permission`` if given."""

    @hooks.register("register_admin_urls")
    def client_page_urls():
        return urls

    @hooks.register("register_admin_menu_item")
    def client_page_menu_item():
        return ClientStaffMenuItem(
            menu_label, reverse(urls[0].name), icon_name=icon, order=order, permission=permission
        )
