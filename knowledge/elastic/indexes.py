"""Elasticsearch's indexes: versioned, behind an alias, rebuilt with no downtime, and
kept in step one page at a time.

Searches read the alias ``ELASTICSEARCH_INDEX`` (default ``portal``). Each rebuild
(``manage.py search_reindex``) writes a new index ``<alias>-<timestamp>`` and moves the
alias to it in one ``update_aliases`` call, so searches see the old index or the new one,
never none and never half of one. While a rebuild loads, the new index also carries the
alias ``<alias>-building``; keeping a page in step (``sync_pages``) writes to every index
behind either alias, so a page published or removed meanwhile is right in both. The
rebuild creates its documents only where none is yet (``create``): a page written by
``sync_pages`` during the load is newer than the rebuild's copy. A page that leaves the
live site after the rebuild read it is removed again before the switch.
"""

import logging
from collections.abc import Iterable, Iterator

from django.conf import settings
from django.utils import timezone
from elasticsearch import Elasticsearch, NotFoundError
from elasticsearch.helpers import bulk
from wagtail.models import Page

from ..kinds import KINDS, is_searched
from ..models import AnswerPolicyPage, KnowledgePage
from .documents import PageDocument, document_of

logger = logging.getLogger(__name__)

CHUNK = 500
_clients: dict[str, Elasticsearch] = {}


class ReindexError(Exception):
    """The index cannot be rebuilt as asked; nothing was switched."""


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


def write_indexes(es: Elasticsearch) -> list[str]:
    """The indexes a change goes to: behind the alias, and any being built."""
    try:
        found = es.indices.get_alias(name=[alias(), building_alias()])
    except NotFoundError:
        return []
    return sorted(found.body)


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
    twice changes nothing more."""
    es = client()
    targets = write_indexes(es)
    counts = {"written": 0, "removed": 0}
    if not targets:
        # No index yet: ``search_reindex`` creates it with every live page.
        return counts
    page_ids = sorted({int(pk) for pk in page_ids})
    pages = {page.pk: page for page in Page.objects.filter(pk__in=page_ids).specific()}
    for pk in page_ids:
        page = pages.get(pk)
        if page is not None and page.live and is_searched(page):
            source = document_of(page).to_dict()
            for index in targets:
                es.index(index=index, id=str(pk), document=source)
            counts["written"] += 1
        else:
            for index in targets:
                _delete(es, index, pk)
            counts["removed"] += 1
    return counts


def reindex(*, keep: int = 0, progress=None) -> str:
    """Build a new index of every live searchable page, switch the alias to it in one
    step, and delete older versioned indexes but the ``keep`` newest. Returns the new
    index's name."""
    es = client()
    name, serving = new_index_name(), alias()
    if es.indices.exists(index=serving) and not es.indices.exists_alias(name=serving):
        raise ReindexError(
            f"{serving!r} is an index, not an alias: delete it (or choose another "
            f"ELASTICSEARCH_INDEX) so that searches can be switched between versions."
        )
    es.indices.create(index=name, **index_body())
    try:
        es.indices.update_aliases(actions=[{"add": {"index": name, "alias": building_alias()}}])
        loaded = _load(es, name, progress)
        gone = loaded - set(_live_searchable_ids())
        for pk in sorted(gone):
            _delete(es, name, pk)
        es.indices.refresh(index=name)
    except Exception:
        # A half-built index must not keep receiving changes, nor ever be switched to.
        es.options(ignore_status=404).indices.delete(index=name)
        raise
    previous = _versions(es, exclude=name)
    actions = [{"remove": {"index": old, "alias": serving}} for old in _behind(es, serving)]
    actions += [
        {"remove": {"index": name, "alias": building_alias()}},
        {"add": {"index": name, "alias": serving}},
    ]
    es.indices.update_aliases(actions=actions)
    for old in previous[: max(0, len(previous) - keep)]:
        es.indices.delete(index=old)
    if progress:
        progress(f"{serving} → {name}: {len(loaded) - len(gone)} pages")
    return name


def _load(es: Elasticsearch, name: str, progress=None) -> set[int]:
    loaded: set[int] = set()

    def actions():
        for page in searchable_pages():
            loaded.add(page.pk)
            if progress and len(loaded) % (10 * CHUNK) == 0:
                progress(f"read {len(loaded)} pages")
            yield {
                "_op_type": "create",
                "_index": name,
                "_id": str(page.pk),
                "_source": document_of(page).to_dict(),
            }

    _ok, errors = bulk(es, actions(), chunk_size=CHUNK, raise_on_error=False)
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
