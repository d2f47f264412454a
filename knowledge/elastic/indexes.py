"""Elasticsearch's indexes: versioned, behind an alias, rebuilt with no downtime, and
kept in step a few pages at a time.

Searches read the alias ``ELASTICSEARCH_INDEX`` (default ``portal``). Each rebuild
(``manage.py search_reindex``, one at a time: a PostgreSQL advisory lock) writes a new
index ``<alias>-<timestamp>`` and moves the alias to it in one ``update_aliases`` call,
so searches see the old index or the new one, never none and never half of one. While a
rebuild loads, the new index also carries the alias ``<alias>-building``; keeping pages
in step (``sync_pages``) writes through either alias that exists, so a page published
or removed meanwhile is right in both. Every write goes through an alias with
``require_alias``: a late write never creates an index of its own (with mappings
guessed from the document) where a deleted one was. The rebuild creates its documents
only where none is yet (``create``): a page written by ``sync_pages`` during the load is
newer than the rebuild's copy. A page that leaves the live site after the rebuild read
it is removed again before the switch.
"""

import logging
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from itertools import islice

from django.conf import settings
from django.db import connection
from django.db.models import prefetch_related_objects
from django.utils import timezone
from elasticsearch import Elasticsearch, NotFoundError
from elasticsearch.helpers import bulk
from wagtail.models import Page

from ..kinds import KINDS, is_searched
from ..models import AnswerPolicyPage, KnowledgePage
from .documents import PageDocument, ancestor_ids, document_of

logger = logging.getLogger(__name__)

CHUNK = 500
#: The rebuilders' advisory lock on PostgreSQL: "srch" in ASCII.
REINDEX_LOCK = 0x73726368
_clients: dict[str, Elasticsearch] = {}


class ReindexError(Exception):
    """The index cannot be rebuilt as asked; nothing was switched."""


class SyncRefused(Exception):
    """Elasticsearch refused some documents of ``sync_pages``; ``temporary``: it may take
    them later (overloaded, 429 or 5xx)."""

    def __init__(self, errors: list[dict]):
        statuses = [next(iter(error.values())).get("status", 500) for error in errors]
        self.temporary = all(status == 429 or status >= 500 for status in statuses)
        super().__init__(f"{len(errors)} documents refused, e.g. {errors[0]}")


def client() -> Elasticsearch:
    """The process's client for ``ELASTICSEARCH_URL`` (one connection pool, reused)."""
    url = settings.ELASTICSEARCH_URL
    if url not in _clients:
        # Searches happen mid-call: a server that does not answer in time is given up
        # on quickly (``knowledge.search`` then ranks with the portal's own index).
        _clients[url] = Elasticsearch(
            url, request_timeout=settings.ELASTICSEARCH_TIMEOUT, max_retries=1
        )
    return _clients[url]


def alias() -> str:
    return settings.ELASTICSEARCH_INDEX


def building_alias() -> str:
    return f"{alias()}-building"


def index_body() -> dict:
    """The settings (the analysers) and mappings every versioned index is created with."""
    return PageDocument._index.to_dict()


def new_index_name(now=None) -> str:
    now = now or timezone.now()
    return f"{alias()}-{now:%Y%m%d%H%M%S%f}"


def write_aliases(es: Elasticsearch) -> list[str]:
    """The aliases a change goes through: the one searches read, and the one of an index
    being built, those that exist."""
    # Asked for several aliases, Elasticsearch answers 404 when any one is missing (the
    # building alias exists only during a rebuild), with the ones it found in the body
    # beside "error" and "status".
    wanted = [alias(), building_alias()]
    found = es.options(ignore_status=404).indices.get_alias(name=wanted).body
    present = {
        name
        for value in found.values()
        if isinstance(value, dict)
        for name in value.get("aliases", {})
    }
    return [name for name in wanted if name in present]


def searchable_pages() -> Iterator:
    """Every live page an agent may search, specific, with what its document reads."""
    for model in KINDS.values():
        pages = model.objects.live().order_by("pk")
        if issubclass(model, KnowledgePage):
            pages = pages.prefetch_related("tags", "products", "channels")
        if issubclass(model, AnswerPolicyPage):
            pages = pages.prefetch_related("scripts")
        yield from pages.iterator(chunk_size=CHUNK)


def sync_pages(page_ids: Iterable[int]) -> dict[str, int]:
    """Make each page's document what the page is now: written when it is live and
    searchable, removed otherwise (unpublished, deleted, never searchable). Running it
    twice changes nothing more. A few queries and one bulk request, however many pages."""
    es = client()
    targets = write_aliases(es)
    counts = {"written": 0, "removed": 0}
    if not targets:
        # No index yet: ``search_reindex`` creates it with every live page.
        return counts
    page_ids = sorted({int(pk) for pk in page_ids})
    found = Page.objects.filter(pk__in=page_ids).specific()
    pages = {page.pk: page for page in found if page.live and is_searched(page)}
    _prefetch(list(pages.values()))
    ancestors = ancestor_ids(pages.values())
    actions = []
    for pk in page_ids:
        page = pages.get(pk)
        if page is not None:
            source = document_of(page, ancestors[pk]).to_dict()
            actions += [{"_index": t, "_id": str(pk), "_source": source} for t in targets]
            counts["written"] += 1
        else:
            actions += [{"_op_type": "delete", "_index": t, "_id": str(pk)} for t in targets]
            counts["removed"] += 1
    _ok, errors = bulk(es, actions, chunk_size=CHUNK, raise_on_error=False, require_alias=True)
    # 404: the document was already gone, or the building alias left with its switch
    # (the other alias took the write).
    refused = [e for e in errors if next(iter(e.values())).get("status") != 404]
    if refused:
        raise SyncRefused(refused)
    return counts


def _prefetch(pages: list) -> None:
    """What ``document_of`` reads of each page, for all of them at once (a few queries
    per page type: prefetching reads one model at a time)."""
    by_class = defaultdict(list)
    for page in pages:
        by_class[type(page)].append(page)
    for page_class, same in by_class.items():
        if issubclass(page_class, KnowledgePage):
            prefetch_related_objects(same, "tags", "products", "channels")
        if issubclass(page_class, AnswerPolicyPage):
            prefetch_related_objects(same, "scripts")


@contextmanager
def _one_rebuild_at_a_time():
    """Two rebuilds at once would each delete the other's index as an older version."""
    if connection.vendor != "postgresql":
        # SQLite serves one developer's machine.
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [REINDEX_LOCK])
        (locked,) = cursor.fetchone()
    if not locked:
        raise ReindexError("Another search_reindex is running; nothing was changed.")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [REINDEX_LOCK])


def reindex(*, keep: int = 0, progress=None) -> str:
    """Build a new index of every live searchable page, switch the alias to it in one
    step, and delete older versioned indexes but the ``keep`` newest. Returns the new
    index's name."""
    with _one_rebuild_at_a_time():
        return _reindex(keep, progress)


def _reindex(keep: int, progress) -> str:
    es = client()
    name, serving = new_index_name(), alias()
    if es.indices.exists(index=serving) and not es.indices.exists_alias(name=serving):
        raise ReindexError(
            f"{serving!r} is an index, not an alias: delete it (or choose another "
            f"ELASTICSEARCH_INDEX) so that searches can be switched between versions."
        )
    for stale in _behind(es, building_alias()):
        # Left by a rebuild that died without cleaning up (this one holds the lock).
        es.options(ignore_status=404).indices.delete(index=stale)
    es.indices.create(index=name, **index_body())
    try:
        es.indices.update_aliases(actions=[{"add": {"index": name, "alias": building_alias()}}])
        loaded = _load(es, progress)
        gone = loaded - set(_live_searchable_ids())
        for pk in sorted(gone):
            _delete(es, name, pk)
        es.indices.refresh(index=name)
        previous = _versions(es, exclude=name)
        actions = [{"remove": {"index": old, "alias": serving}} for old in _behind(es, serving)]
        actions += [
            {"remove": {"index": name, "alias": building_alias()}},
            {"add": {"index": name, "alias": serving}},
        ]
        _switch(es, name, actions)
    except Exception:
        # A half-built index must not keep receiving changes, nor ever be switched to.
        es.options(ignore_status=404).indices.delete(index=name)
        raise
    for old in previous[: max(0, len(previous) - keep)]:
        es.indices.delete(index=old)
    if progress:
        progress(f"{serving} → {name}: {len(loaded) - len(gone)} pages")
    return name


def _switch(es: Elasticsearch, name: str, actions: list[dict]) -> None:
    try:
        es.indices.update_aliases(actions=actions)
    except Exception:
        # No answer is not a refusal: if the switch was made, the new index serves and
        # must stay.
        if name not in _behind(es, alias()):
            raise


def _load(es: Elasticsearch, progress=None) -> set[int]:
    """Every searchable page into the index being built, through its alias."""
    loaded: set[int] = set()

    def actions():
        pages = searchable_pages()
        while chunk := list(islice(pages, CHUNK)):
            ancestors = ancestor_ids(chunk)
            for page in chunk:
                loaded.add(page.pk)
                if progress and len(loaded) % (10 * CHUNK) == 0:
                    progress(f"read {len(loaded)} pages")
                yield {
                    "_op_type": "create",
                    "_index": building_alias(),
                    "_id": str(page.pk),
                    "_source": document_of(page, ancestors[page.pk]).to_dict(),
                }

    _ok, errors = bulk(es, actions(), chunk_size=CHUNK, raise_on_error=False, require_alias=True)
    # 409: ``sync_pages`` wrote the page first, with newer content than ours.
    failed = [e for e in errors if next(iter(e.values())).get("status") != 409]
    if failed:
        raise ReindexError(f"{len(failed)} pages could not be indexed, e.g. {failed[0]}")
    return loaded


def _delete(es: Elasticsearch, index: str, page_id: int) -> None:
    # A document already gone is the same end.
    es.options(ignore_status=404).delete(index=index, id=str(page_id))


def _live_searchable_ids() -> list[int]:
    ids = []
    for model in KINDS.values():
        ids += list(model.objects.live().values_list("pk", flat=True))
    return ids


def _behind(es: Elasticsearch, name: str) -> list[str]:
    try:
        return sorted(es.indices.get_alias(name=name).body)
    except NotFoundError:
        return []


def _versions(es: Elasticsearch, *, exclude: str) -> list[str]:
    """The versioned indexes of the alias, oldest first (their names sort by time)."""
    found = es.indices.get(index=f"{alias()}-*", expand_wildcards="open").body
    prefix = f"{alias()}-"
    return sorted(
        index
        for index in found
        if index != exclude and index[len(prefix) :].isdigit() and index.startswith(prefix)
    )
