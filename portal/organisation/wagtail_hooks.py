"""Admin registrations for the organisation: vendors with their teams, agents, roster import.

The roster import here is the portal's view (``views.roster_import``) in the admin's
template, for client managers; vendor-side people have no admin and import in the portal.
"""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.panels import FieldPanel, InlinePanel
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from portal.staff import ClientStaffMenuItem, client_staff_only

from . import views
from .models import AgentProfile, Vendor


class VendorViewSet(SnippetViewSet):
    model = Vendor
    icon = "group"
    menu_label = _("Vendors")
    list_display = ["name", "code", "client", "is_active"]
    list_filter = ["client", "is_active"]
    search_fields = ["name", "code"]
    search_backend_name = None
    panels = [
        FieldPanel("client"),
        FieldPanel("name"),
        FieldPanel("code"),
        FieldPanel("is_active"),
        FieldPanel("go_live_sign_off"),
        InlinePanel("teams", label=_("Teams"), heading=_("Teams")),
    ]

    def get_queryset(self, request):
        return Vendor.objects.for_user(request.user).select_related("client")


class AgentProfileViewSet(SnippetViewSet):
    model = AgentProfile
    icon = "user"
    menu_label = _("Agents")
    list_display = ["__str__", "vendor", "team", "go_live_date", "status"]
    list_filter = ["vendor", "team", "status", "channels"]
    list_per_page = 50
    search_fields = ["employee_number", "user__name", "user__email"]
    search_backend_name = None
    panels = [
        FieldPanel("user"),
        FieldPanel("vendor"),
        FieldPanel("team"),
        FieldPanel("employee_number"),
        FieldPanel("channels"),
        FieldPanel("skills"),
        FieldPanel("go_live_date"),
        FieldPanel("status"),
        FieldPanel("left_on"),
    ]

    def get_queryset(self, request):
        return AgentProfile.objects.for_user(request.user).select_related("user", "vendor", "team")


class OrganisationViewSetGroup(SnippetViewSetGroup):
    menu_label = _("Organisation")
    menu_icon = "group"
    menu_order = 300
    items = (VendorViewSet, AgentProfileViewSet)


register_snippet(OrganisationViewSetGroup)


# Vendor-side people import their roster in the portal.
@hooks.register("register_admin_urls")
def register_roster_urls():
    return [
        path(
            "roster/",
            client_staff_only(
                views.roster_importers_only(
                    lambda request: views.roster_vendors(
                        request,
                        "organisation/admin/roster_vendors.html",
                        import_url="organisation_roster_import",
                    )
                ),
                "organisation:roster_import_start",
            ),
            name="organisation_roster_import_start",
        ),
        path(
            "roster/template.csv",
            client_staff_only(views.roster_template_view, "organisation:roster_template"),
            name="organisation_roster_template",
        ),
        path(
            "roster/<int:vendor_id>/",
            client_staff_only(
                views.roster_importers_only(
                    lambda request, vendor_id: views.roster_import(
                        request, vendor_id, "organisation/admin/roster_import.html"
                    )
                ),
                "organisation:roster_import",
            ),
            name="organisation_roster_import",
        ),
    ]


@hooks.register("register_admin_menu_item")
def register_roster_menu_item():
    return ClientStaffMenuItem(
        _("Import a roster"),
        reverse("organisation_roster_import_start"),
        icon_name="upload",
        order=310,
        permission=views.IMPORT_PERMISSION,
    )
