from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContractsConfig(AppConfig):
    name = "contracts"
    verbose_name = _("Contracts and KPIs")

    def ready(self):
        from portal.integrations.tokens import register_use
        from portal.organisation.roles import CLIENT_ROLES, Role, grant

        from . import records  # noqa: F401 - KPI actuals handed over at a contract's end

        register_use("kpi_actuals", _("push KPI actuals (call-centre system)"))
        # Every client role reads contracts and their actuals; client managers, who
        # agree them with the vendors, write them. Nobody deletes one in the admin: a
        # contract's actuals are the record of what was kept.
        for role in CLIENT_ROLES:
            grant(role, "contracts.view_contract", "contracts.view_kpiactual")
        grant(
            Role.CLIENT_MANAGER,
            "contracts.add_contract",
            "contracts.change_contract",
            "contracts.add_kpiactual",
            # What was agreed at a review; the vendor's manager writes theirs on the board.
            "contracts.add_reviewnote",
        )
