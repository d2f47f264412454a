"""Client managers' "Records hand-over" and "Off-boarding" pages in the admin, and their
menu items."""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from portal.staff import ClientStaffMenuItem, register_client_pages

from . import offboarding_views, views


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


register_client_pages(
    [
        path("vendor-offboarding/", offboarding_views.offboardings, name="handover_offboarding"),
        path(
            "vendor-offboarding/<int:vendor_id>/cancel/",
            offboarding_views.cancel,
            name="handover_offboarding_cancel",
        ),
    ],
    menu_label=_("Off-boarding"),
    icon="user",
    order=895,
    permission=offboarding_views.OFFBOARD_PERMISSION,
)
