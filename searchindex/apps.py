from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SearchIndexConfig(AppConfig):
    name = "searchindex"
    verbose_name = _("Search index")

    def ready(self):
        # Django: an app imports its models and signal modules once the registry is ready.
        from . import signal_handlers  # noqa: F401
