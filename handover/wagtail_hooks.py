"""Client managers' "Records hand-over" page in the admin, and its menu item."""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from portal.staff import ClientStaffMenuItem

from . import views


@hooks.register("register_admin_urls")
def register_handover_urls():
    return [
        path("records-handover/", views.exports, name="handover_exports"),
        path(
            "records-handover/<int:export_id>/download/",
            views.download,
            name="handover_download",
        ),
    ]


@hooks.register("register_admin_menu_item")
def register_handover_menu_item():
    return ClientStaffMenuItem(
        _("Records hand-over"),
        reverse("handover_exports"),
        icon_name="download",
        order=890,
        permission=views.EXPORT_PERMISSION,
    )
