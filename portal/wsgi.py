"""WSGI entry point for gunicorn (and for ``runserver``, through WSGI_APPLICATION)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.production")

application = get_wsgi_application()

# Kiwi's model takes about 2 s to load: load it as the server starts, so that no agent's
# first search in a new process waits for it.
from searchindex.korean import preload  # noqa: E402

preload()
