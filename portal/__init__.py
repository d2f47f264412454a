"""The portal project: settings, URLs, the Celery app, organisation, accounts and site chrome."""

from .celery import app as celery_app

__all__ = ["celery_app"]
