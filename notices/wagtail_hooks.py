"""Client managers follow notices in the admin; vendors' webhooks are snippets there."""

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from portal.organisation.scoping import viewer_scope

from . import views
from .models import ChangeNoticePage, NoticeVersion, VendorWebhook


def _client_staff_only(view):
    def wrapper(request, *args, **kwargs):
        if not viewer_scope(request.user).is_client_staff:
            # Vendor-side people follow their notices in the portal.
            return redirect("notices:manage_list")
        return view(request, *args, **kwargs)

    return wrapper


@hooks.register("register_admin_urls")
def notice_status_urls():
    return [
        path(
            "notice-status/",
            _client_staff_only(
                lambda request: views.manage_list(request, "notices/admin/manage_list.html")
            ),
            name="notices_admin_list",
        ),
        path(
            "notice-status/<int:notice_id>/",
            _client_staff_only(
                lambda request, notice_id: views.manage_status(
                    request, notice_id, "notices/admin/manage_status.html"
                )
            ),
            name="notices_admin_status",
        ),
    ]


class NoticeStatusMenuItem(MenuItem):
    def is_shown(self, request):
        return viewer_scope(request.user).is_client_staff


@hooks.register("register_admin_menu_item")
def notice_status_menu_item():
    return NoticeStatusMenuItem(
        _("Notice acknowledgements"),
        reverse("notices_admin_list"),
        icon_name="tasks",
        order=250,
    )


class VendorWebhookViewSet(SnippetViewSet):
    model = VendorWebhook
    icon = "link"
    menu_label = _("Vendor webhooks")
    list_display = ["vendor", "url", "is_active"]
    add_to_settings_menu = True


register_snippet(VendorWebhookViewSet)


@hooks.register("before_delete_page")
def keep_acknowledged_notices(request, page):
    """Acknowledgements are evidence: a notice that has them is unpublished, not deleted."""
    specific = page.specific
    if (
        isinstance(specific, ChangeNoticePage)
        and NoticeVersion.objects.filter(notice=specific).exists()
    ):
        messages.error(
            request,
            _("This notice reached agents and is kept as a record: unpublish it instead."),
        )
        return redirect("wagtailadmin_pages:edit", page.pk)
    return None
