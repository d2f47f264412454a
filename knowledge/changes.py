"""What changed in a page since an earlier published version, with Wagtail's own
revision comparison (the same diffs editors see in the admin)."""

from dataclasses import dataclass

from wagtail.admin.panels import get_edit_handler
from wagtail.models import PageLogEntry

from portal.organisation.scoping import SystemViewer, acting_as


@dataclass
class PublishedVersion:
    revision_id: int
    published_at: object


def published_versions(page, limit: int = 10) -> list[PublishedVersion]:
    """Earlier published versions, newest first; drafts are never offered to agents."""
    entries = (
        PageLogEntry.objects.filter(page=page, action="wagtail.publish", revision__isnull=False)
        .exclude(revision_id=page.live_revision_id)
        .order_by("-timestamp")
        .values_list("revision_id", "timestamp")[:limit]
    )
    return [PublishedVersion(revision_id, timestamp) for revision_id, timestamp in entries]


def changes_since(page, revision_id: int, request) -> list | None:
    """Field diffs between a published revision and the live page; None if not comparable."""
    if revision_id not in {v.revision_id for v in published_versions(page, limit=100)}:
        return None
    return changes_between(page, revision_id, request)


def changes_between(page, revision_id: int, request, fields=None) -> list | None:
    """Field diffs between any revision of ``page`` and the live page (e.g. the version
    an agent last acknowledged); None if that revision is gone.

    ``fields`` limits the comparison to those field names: what readers may see, not
    how the page is targeted.
    """
    revision = page.revisions.filter(pk=revision_id).first()
    if revision is None:
        return None
    # Rebuilding an old revision loads its related rows (e.g. audience vendors) whoever
    # asks; only the chosen fields' diffs are returned.
    with acting_as(SystemViewer()):
        old = revision.as_object()
        panel = get_edit_handler(type(page)).get_bound_panel(
            instance=page, request=request, form=None
        )
        diffs = [comparison(old, page) for comparison in panel.get_comparison()]
        if fields is not None:
            diffs = [diff for diff in diffs if getattr(diff, "field", None) is not None]
            diffs = [diff for diff in diffs if diff.field.name in fields]
        return [diff for diff in diffs if diff.has_changed()]
