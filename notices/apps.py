from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NoticesConfig(AppConfig):
    name = "notices"
    verbose_name = _("Change notices")

    def ready(self):
        # Django: an app imports its models and signal modules once the registry is ready.
        from portal.audit.chain import register_attested
        from portal.organisation.roles import Role, grant

        from . import access, measures, records, signal_handlers  # noqa: F401 - rule, measure, records, signals
        from .models import Acknowledgement

        register_attested(Acknowledgement, "acknowledgement")
        # Client managers say where each vendor's notices are pushed (a messenger bot).
        grant(
            Role.CLIENT_MANAGER,
            "notices.add_vendorwebhook",
            "notices.change_vendorwebhook",
            "notices.view_vendorwebhook",
            "notices.delete_vendorwebhook",
        )
