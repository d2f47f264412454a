from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KnowledgeConfig(AppConfig):
    name = "knowledge"
    verbose_name = _("Knowledge")

    def ready(self):
        # Django: an app imports its models and signal modules once the registry is ready.
        from . import signal_handlers, visibility  # noqa: F401
