from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NoticesConfig(AppConfig):
    name = "notices"
    verbose_name = _("Change notices")

    def ready(self):
        from portal.audit.chain import register_verifier

        from . import access, signal_handlers  # noqa: F401 - the page rule, the signals
        from .acknowledging import verify_acknowledgements

        register_verifier(verify_acknowledgements)
