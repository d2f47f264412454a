from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NoticesConfig(AppConfig):
    name = "notices"
    verbose_name = _("Change notices")

    def ready(self):
        from portal.audit.chain import register_verifier
        from portal.audit.guards import register_guarded_table
        from portal.organisation.roles import Role, grant

        from . import access, signal_handlers  # noqa: F401 - the page rule, the signals
        from .acknowledging import verify_acknowledgements

        register_verifier(verify_acknowledgements)
        register_guarded_table("notices_acknowledgement")
        # Client managers say where each vendor's notices are pushed (a messenger bot).
        grant(
            Role.CLIENT_MANAGER,
            "notices.add_vendorwebhook",
            "notices.change_vendorwebhook",
            "notices.view_vendorwebhook",
            "notices.delete_vendorwebhook",
        )
