from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrganisationConfig(AppConfig):
    name = "portal.organisation"
    label = "organisation"
    verbose_name = _("Organisation")

    def ready(self):
        # Django: an app imports its models and signal modules once the registry is ready.
        from . import records, signal_handlers  # noqa: F401 - hand-over records, signals
