"""What versioned pages (change notices, courses) share when they are published.

Publishing such a page records a version in the ``page_published`` handler; the
publisher says, for every new draft, whether the change is material.
"""

from django.db import transaction
from wagtail.admin.forms import WagtailAdminPageForm


class MaterialChangeForm(WagtailAdminPageForm):
    """Asks afresh, for every new draft after a publish, whether the change is material."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        page = self.instance
        if page.pk and page.live_revision_id and page.latest_revision_id == page.live_revision_id:
            self.initial["material_change"] = False


class PublishedWithItsRecords:
    """Page mixin: the publish and what the ``page_published`` handler records with it
    (a version, an outbox row) are one transaction, so they succeed or fail together."""

    def publish(self, revision, *args, **kwargs):
        with transaction.atomic():
            return super().publish(revision, *args, **kwargs)
