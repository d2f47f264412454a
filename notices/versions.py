"""Recording each publish of a notice as a version, and the delivery intent with it."""

from django.db import transaction
from django.utils import timezone

from portal.prepared import PreparedQuery, instance, loaded_fields
from portal.publishing import content_hash
from portal.queueing import queue

from .models import ChangeNoticePage, NoticeDispatch, NoticeVersion


def version_content(notice: ChangeNoticePage) -> dict:
    """What an agent reads and attests to, as plain data."""
    return {
        "title": notice.title,
        "kind": notice.kind,
        "priority": notice.priority,
        "summary": notice.summary,
        "changes": notice.changes,
        "effective_from": notice.effective_from.isoformat() if notice.effective_from else None,
        "effective_until": notice.effective_until.isoformat() if notice.effective_until else None,
        "acknowledge_by": notice.acknowledge_by.isoformat() if notice.acknowledge_by else None,
        "questions": [
            {"question": q["question"], "choices": [c["text"] for c in q["options"]]}
            for q in notice.questions
        ],
        # The page revisions the notice announces: an acknowledgement attests to them.
        "page_changes": [
            {
                "page": change.page_id,
                "revision": change.revision_id,
                "base_revision": change.base_revision_id,
                "effective_at": change.effective_at.isoformat(),
            }
            for change in notice.page_changes.order_by("pk")
        ],
    }


def record_publish(notice: ChangeNoticePage, revision, user=None) -> NoticeVersion:
    """A new version; a dispatch (outbox row) for the current material version.

    Called inside the publish transaction. A non-material version is dispatched too: no
    one already notified hears again (deliveries are unique per material version), but
    people newly added to the audience get the notice.
    """
    previous = notice.versions.order_by("-number").first()
    material = previous is None or bool(notice.material_change)
    content = version_content(notice)
    version = NoticeVersion.objects.create(
        notice=notice,
        number=(previous.number + 1) if previous else 1,
        material=material,
        revision=revision,
        content=content,
        content_hash=content_hash(content),
        published_at=timezone.now(),
        published_by=user if user is not None and user.is_authenticated else None,
    )
    dispatch = NoticeDispatch.objects.create(version=current_material_version(notice))
    transaction.on_commit(lambda: hand_to_workers(dispatch.pk))
    return version


def redispatch(notice) -> NoticeDispatch | None:
    """Deliver the current material version to audience members who do not have it yet
    (agents imported or moved since the publish); nobody else hears again."""
    material = current_material_version(notice)
    if material is None or not notice.live:
        return None
    with transaction.atomic():
        dispatch = NoticeDispatch.objects.create(version=material)
        transaction.on_commit(lambda: hand_to_workers(dispatch.pk))
    return dispatch


def current_material_version(notice) -> NoticeVersion | None:
    return notice.versions.filter(material=True).order_by("-number").first()


def latest_version(notice) -> NoticeVersion | None:
    return notice.versions.order_by("-number").first()


def _newest_first(versions):
    """Versions newest first, without their content: what deciding between them reads."""
    return versions.defer("content").order_by("-number")


def current_versions(
    notice, versions: list[NoticeVersion] | None = None
) -> tuple[NoticeVersion | None, NoticeVersion | None]:
    """``(current_material_version, latest_version)`` in one query: what an
    acknowledgement settles and what was on screen (often the same row). A notice has a
    handful of versions: reading them all, without their content, is the cheap query.

    ``versions``: the notice's versions, newest first, when the caller has them."""
    if versions is None:
        versions = list(_newest_first(notice.versions.all()))
    material = next((version for version in versions if version.material), None)
    return material, (versions[0] if versions else None)


#: What deciding on an acknowledgement reads of a notice and of its versions: all but
#: their long text, which is loaded if ever read.
_VERSION_FIELDS = loaded_fields(NoticeVersion, leave_out=("content",))
_NOTICE_FIELDS = loaded_fields(ChangeNoticePage, leave_out=("changes", "summary"))

# On every acknowledgement: compiled once (``portal.prepared``).
_published = PreparedQuery(
    lambda notice_id: _newest_first(NoticeVersion.objects.filter(notice_id=notice_id)).values_list(
        *(f.name for f in _VERSION_FIELDS), *(f"notice__{f.name}" for f in _NOTICE_FIELDS)
    ),
    "notice_id",
)


def published_notice(notice_id: int) -> tuple[ChangeNoticePage | None, list[NoticeVersion]]:
    """A notice that was published at least once, with its versions newest first
    (without their content), in one query: (None, []) when there is no such notice."""
    rows = _published(notice_id=notice_id)
    if not rows:
        return None, []
    cut = len(_VERSION_FIELDS)
    notice = instance(ChangeNoticePage, _NOTICE_FIELDS, rows[0][cut:])
    versions = []
    for row in rows:
        version = instance(NoticeVersion, _VERSION_FIELDS, row[:cut])
        version.notice = notice
        versions.append(version)
    return notice, versions


def hand_to_workers(dispatch_id: int) -> bool:
    """Queue the dispatch; if the broker is unreachable the relay on beat will."""
    from .tasks import dispatch_notice  # tasks imports this module

    return queue(dispatch_notice, dispatch_id, catches_up="the relay on beat")
