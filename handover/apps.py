from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HandoverConfig(AppConfig):
    name = "handover"
    verbose_name = _("Records hand-over")

    def ready(self):
        from portal.organisation.models import refuse_reactivation
        from portal.organisation.roles import Role, grant

        from .offboarding import reactivation_refused

        # Client managers, who end contracts, hand a vendor's records over; nobody else.
        grant(Role.CLIENT_MANAGER, "handover.export_records", "handover.offboard_vendor")
        refuse_reactivation(reactivation_refused)
