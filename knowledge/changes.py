"""A knowledge page's earlier published versions, and what changed since one of them
(``portal.diffs``, the readable diff notices and courses use too)."""

from dataclasses import dataclass

from wagtail.models import PageLogEntry

from portal.diffs import PUBLISH_ACTIONS, version_diff


@dataclass
class PublishedVersion:
    revision_id: int
    published_at: object


def published_versions(page, limit: int = 10) -> list[PublishedVersion]:
    """Earlier published versions, newest first; drafts are never offered to agents."""
    entries = (
        PageLogEntry.objects.filter(page=page, action__in=PUBLISH_ACTIONS, revision__isnull=False)
        .exclude(revision_id=page.live_revision_id)
        .order_by("-timestamp")
        .values_list("revision_id", "timestamp")[:limit]
    )
    return [PublishedVersion(revision_id, timestamp) for revision_id, timestamp in entries]


def changes_since(page, revision_id: int, user):
    """What changed from an earlier published version to the live page (a
    ``portal.diffs.VersionDiff``); None if that is not one of its published versions."""
    if revision_id not in {v.revision_id for v in published_versions(page, limit=100)}:
        return None
    return version_diff(page, revision_id, user)
