"""The Celery app: configured from Django settings (``CELERY_*``), tasks found per app."""

import os

from celery import Celery, Task
from celery.signals import worker_process_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.dev")


class PortalTask(Task):
    """Every task starts with nobody served, whoever queued or called it (eagerly, in a
    request): it states its scope (``@system_scope("why")``) or its vendor-owned queries
    fail, as they would in the worker."""

    def __call__(self, *args, **kwargs):
        # The worker imports this module before Django is set up; scoping needs models.
        from portal.organisation.scoping import nobody_served

        with nobody_served():
            return super().__call__(*args, **kwargs)


app = Celery("portal", task_cls=PortalTask)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_configure.connect
def _make_filesystem_queue_folders(sender, **kwargs):
    """The filesystem transport expects its folders to exist before the first message."""
    options = sender.conf.broker_transport_options or {}
    for key in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder"):
        if options.get(key):
            os.makedirs(options[key], exist_ok=True)


@worker_process_init.connect
def _preload_search_analysis(**kwargs):
    """Publishing indexes pages with Kiwi: load its model when a worker process starts,
    not in the middle of the first task (about 2 s)."""
    from searchindex.korean import preload  # after Django is set up, as above

    preload()
