"""Client managers follow notices in the admin; vendors' webhooks are snippets there;
publishers schedule a page's change with the notice that announces it."""

from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.action_menu import ActionMenuItem
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from portal.deletion import keep_pages_with
from portal.staff import ClientStaffMenuItem, register_client_pages

from . import announcing, reports
from .manager_views import NoticeList, NoticeStatus
from .models import NoticeVersion, VendorWebhook

register_client_pages(
    [
        NoticeList.admin_path("notice-status/", "notices_admin_list", "notices:manage_list"),
        NoticeStatus.admin_path(
            "notice-status/<int:notice_id>/", "notices_admin_status", "notices:manage_status"
        ),
    ],
    menu_label=_("Notice acknowledgements"),
    icon="tasks",
    order=250,
)


class VendorWebhookViewSet(SnippetViewSet):
    model = VendorWebhook
    icon = "link"
    menu_label = _("Vendor webhooks")
    list_display = ["vendor", "url", "is_active"]
    add_to_settings_menu = True


register_snippet(VendorWebhookViewSet)


# Acknowledgements are evidence: a notice that reached agents is unpublished, not deleted.
keep_pages_with(
    NoticeVersion.objects.all,
    "notice",
    _("This notice reached agents and is kept as a record: unpublish it instead."),
)


@hooks.register("register_admin_urls")
def change_urls():
    return [
        path(
            "changes/announce/<int:page_id>/",
            announcing.announce_view,
            name="notices_announce_change",
        ),
        path(
            "changes/<int:change_id>/withdraw/",
            announcing.cancel_view,
            name="notices_cancel_change",
        ),
        path(
            "notices/reports/stale-content/",
            reports.StaleContentReport.as_view(),
            name="notices_stale_content",
        ),
        path(
            "notices/reports/stale-content/results/",
            reports.StaleContentReport.as_view(results_only=True),
            name="notices_stale_content_results",
        ),
    ]


@hooks.register("register_reports_menu_item")
def stale_content_menu_item():
    return ClientStaffMenuItem(
        _("Stale content"),
        reverse("notices_stale_content"),
        name="stale-content",
        icon_name="warning",
        order=1160,
    )


class AnnounceMenuItem(ActionMenuItem):
    """Saves the draft, then opens the change form for it."""

    label = _("Schedule with a notice…")
    name = "action-announce"
    icon_name = "date"

    def is_shown(self, context):
        if context["view"] != "edit" or context["locked_for_user"]:
            return False
        page = context["page"]
        return (
            page.live
            and announcing.is_announceable(page)
            and self.get_user_page_permissions_tester(context).can_publish()
        )


@hooks.register("register_page_action_menu_item")
def announce_menu_item():
    return AnnounceMenuItem(order=15)


@hooks.register("after_edit_page")
def continue_to_the_change_form(request, page):
    if "action-announce" in request.POST:
        return redirect("notices_announce_change", page.pk)
    return None
