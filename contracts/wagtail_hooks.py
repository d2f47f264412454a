"""Client staff keep contracts and their KPIs in the admin (a KPI inline, 3 to 5 active),
follow the actuals (a listing with filters and a CSV/XLSX export, user text made inert),
enter a period's actuals by hand, import a file of them, and read the KPI board of every
vendor side by side."""

from django.db.models import Count, Q
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    InlinePanel,
    MultiFieldPanel,
    ObjectList,
)
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.widgets import ListingButton
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import IndexView, SnippetViewSet, SnippetViewSetGroup

from portal.staff import client_staff_only, register_client_pages
from portal.tabular import InertSpreadsheetExportMixin

from . import views
from .board_views import KpiBoard
from .filters import KpiActualFilterSet
from .forms import ContractForm
from .models import Contract, KpiActual


class ContractIndexView(IndexView):
    def get_list_buttons(self, instance):
        buttons = super().get_list_buttons(instance)
        if self.request.user.has_perm(views.RECORD_PERMISSION):
            buttons.insert(
                0,
                ListingButton(
                    _("Enter actuals"),
                    url=reverse("contracts_enter_actuals", args=[instance.pk]),
                    icon_name="edit",
                    priority=5,
                ),
            )
        return buttons


class KeptContracts(ModelPermissionPolicy):
    """A contract is the record of what was agreed: never deleted in the admin, not even
    by a superuser (it would take its actuals with it); a KPI is made inactive."""

    def user_has_permission(self, user, action):
        return action != "delete" and super().user_has_permission(user, action)


class ListedActuals(ModelPermissionPolicy):
    """Actuals are listed and exported here; they are recorded, and corrected, through
    ``recording`` only (the contract's "Enter actuals", an import, the API), which
    checks them."""

    def user_has_permission(self, user, action):
        return action == "view" and super().user_has_permission(user, action)


class ContractViewSet(SnippetViewSet):
    model = Contract
    icon = "doc-full"
    menu_label = _("Contracts")
    index_view_class = ContractIndexView
    list_display = [
        "name",
        Column("vendor", label=_("Vendor"), accessor="vendor.name"),
        # The dates themselves: a contract's term is read as dates, not as "a year ago".
        Column("starts_on", label=_("Starts on")),
        Column("ends_on", label=_("Ends on")),
        Column("review_cadence", label=_("Review cadence"), accessor="get_review_cadence_display"),
        Column("active_kpis", label=_("Active KPIs")),
    ]
    list_filter = ["vendor", "review_cadence"]
    list_per_page = 50
    search_fields = ["name", "vendor__name", "vendor__code"]
    search_backend_name = None
    edit_handler = ObjectList(
        [
            FieldPanel("vendor"),
            FieldPanel("name"),
            FieldRowPanel(
                [FieldPanel("starts_on"), FieldPanel("ends_on"), FieldPanel("pilot_ends_on")]
            ),
            FieldPanel("channels"),
            FieldPanel("review_cadence"),
            InlinePanel(
                "kpis",
                heading=_("KPIs"),
                label=_("KPI"),
                help_text=_("3 to 5 active KPIs: the few promises that can really be kept."),
                panels=[
                    FieldRowPanel([FieldPanel("code"), FieldPanel("name"), FieldPanel("active")]),
                    FieldPanel("definition"),
                    FieldRowPanel(
                        [FieldPanel("unit"), FieldPanel("direction"), FieldPanel("period")]
                    ),
                    FieldRowPanel([FieldPanel("target"), FieldPanel("tolerance")]),
                    MultiFieldPanel([FieldPanel("measure")], heading=_("Source of the actuals")),
                ],
            ),
        ],
        base_form_class=ContractForm,
    )

    def get_queryset(self, request):
        return (
            Contract.objects.for_user(request.user)
            .select_related("vendor")
            .annotate(active_kpis=Count("kpis", filter=Q(kpis__active=True)))
        )


class KpiActualIndexView(InertSpreadsheetExportMixin, IndexView):
    pass


class KpiActualViewSet(SnippetViewSet):
    model = KpiActual
    icon = "table"
    menu_label = _("KPI actuals")
    index_view_class = KpiActualIndexView
    filterset_class = KpiActualFilterSet
    list_display = [
        Column("vendor", label=_("Vendor"), accessor="kpi.contract.vendor.name"),
        Column("kpi", label=_("KPI"), accessor="kpi.name"),
        Column("period", label=_("Period"), accessor="period_label"),
        Column("value", label=_("Value")),
        Column("unit", label=_("Unit"), accessor="kpi.get_unit_display"),
        Column("source", label=_("Source"), accessor="get_source_display"),
        Column("recorded_by", label=_("Recorded by"), accessor="recorded_by"),
        DateColumn("recorded_at", label=_("Recorded at")),
    ]
    list_per_page = 50
    list_export = [
        "kpi.contract.vendor.code",
        "kpi.contract.name",
        "kpi.code",
        "kpi.name",
        "period_label",
        "value",
        "kpi.get_unit_display",
        "kpi.target",
        "get_source_display",
        "recorded_by",
        "recorded_at",
        "note",
    ]
    export_headings = {
        "kpi.contract.vendor.code": _("Vendor code"),
        "kpi.contract.name": _("Contract"),
        "kpi.code": _("KPI code"),
        "kpi.name": _("KPI"),
        "period_label": _("Period"),
        "value": _("Value"),
        "kpi.get_unit_display": _("Unit"),
        "kpi.target": _("Target"),
        "get_source_display": _("Source"),
        "recorded_by": _("Recorded by"),
        "recorded_at": _("Recorded at"),
        "note": _("Note"),
    }
    export_filename = "kpi-actuals"

    def get_queryset(self, request):
        return (
            KpiActual.objects.for_user(request.user)
            .select_related("kpi__contract__vendor", "recorded_by")
            .order_by("-period_start", "kpi__contract__vendor__name", "kpi__sort_order", "pk")
        )


class ContractsViewSetGroup(SnippetViewSetGroup):
    menu_label = _("Contracts and KPIs")
    menu_icon = "doc-full"
    menu_order = 270
    items = (ContractViewSet, KpiActualViewSet)


register_permission_policy(Contract, KeptContracts(Contract))
register_permission_policy(KpiActual, ListedActuals(KpiActual))
register_snippet(ContractsViewSetGroup)

register_client_pages(
    [
        path("contracts/import/", client_staff_only(views.import_view), name="contracts_import"),
        path(
            "contracts/<int:contract_id>/actuals/",
            client_staff_only(views.enter_actuals),
            name="contracts_enter_actuals",
        ),
    ],
    menu_label=_("Import KPI actuals"),
    icon="upload",
    order=275,
    permission=views.RECORD_PERMISSION,
)

# Vendor managers read their board in the portal.
register_client_pages(
    [KpiBoard.admin_path("contracts/board/", "contracts_admin_board", "contracts:board")],
    menu_label=_("KPI board"),
    icon="table",
    order=265,
)
