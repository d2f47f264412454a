from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SearchIndexConfig(AppConfig):
    name = "searchindex"
    verbose_name = _("Search index")

    def ready(self):
        from . import signal_handlers  # noqa: F401
