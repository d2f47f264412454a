from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DecisionsConfig(AppConfig):
    name = "decisions"
    verbose_name = _("Decisions")

    def ready(self):
        # Django: an app imports its models and banner source once the registry is ready.
        from portal.audit.chain import register_attested
        from portal.integrations.tokens import register_use

        from . import banners, measures, records  # noqa: F401 - the form, the measure, records
        from .models import Decision

        register_attested(Decision, "decision")
        register_use("decisions", _("record decisions (CRM)"))
