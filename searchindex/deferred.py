"""Indexing deferred to one bulk pass, for imports: ``deferred_indexing()``.

Saving or publishing a page normally indexes it at once, in three places: the portal's
own index (on publish, ``signal_handlers``), Wagtail's search backend, which the admin's
page search reads (on save), and Wagtail's reference index, which its usage views read
(on save). An import of thousands of pages would pay that per page and per save.

Inside ``with deferred_indexing() as deferred:`` none of them runs: what is saved and
published is collected (a publisher that bypasses Wagtail's ``publish()`` says so with
``deferred.published(page_id)``), and leaving the block indexes it all in bulk, in the
caller's transaction: an import that fails leaves no index entry behind, one that
commits leaves every page found. An exception inside the block skips the pass.

Wagtail's search backend is deferred for the page types that leave its automatic
update to us (``search_auto_update = False``, see ``signal_handlers``); its reference
index through Wagtail's own switch, ``disable_reference_index_auto_update``.
"""

import logging
from contextlib import contextmanager
from dataclasses import dataclass, field

from asgiref.local import Local
from django.db import transaction
from modelcluster.models import (
    ClusterableModel,
    get_all_child_m2m_relations,
    get_all_child_relations,
)
from modelsearch.backends import get_search_backends_with_name
from wagtail.models import ReferenceIndex
from wagtail.signal_handlers import disable_reference_index_auto_update
from wagtail.tasks import update_reference_index_task

from .indexing import BATCH, index_pages

logger = logging.getLogger(__name__)
_state = Local()


@dataclass
class DeferredIndexing:
    """What a ``deferred_indexing()`` block saved and published, by model and key."""

    #: For Wagtail's search backend.
    searched: dict[type, set] = field(default_factory=dict)
    #: For Wagtail's reference index.
    referenced: dict[type, set] = field(default_factory=dict)
    #: Page ids, for the portal's index.
    published_ids: set[int] = field(default_factory=set)

    def published(self, page_id: int) -> None:
        """Index ``page_id`` in the portal's index at the end, as publishing it would."""
        self.published_ids.add(page_id)

    def saved_for_search(self, instance) -> None:
        self.searched.setdefault(type(instance), set()).add(instance.pk)

    def saved_for_references(self, instance) -> None:
        self.referenced.setdefault(type(instance), set()).add(instance.pk)

    def index(self) -> None:
        """The bulk pass: every collected object, a chunk of a model at a time."""
        with transaction.atomic():
            fetched = self._update_wagtail_search()
            self._update_references(fetched)
            index_pages(self.published_ids)

    def _update_wagtail_search(self) -> dict:
        fetched = {}
        backends = list(get_search_backends_with_name(with_auto_update=True))
        for model, ids in self.searched.items():
            for chunk in _chunks(ids):
                objects = list(
                    model.get_indexed_objects()
                    .filter(pk__in=chunk)
                    .prefetch_related(*_cluster_relations(model))
                )
                fetched |= {(model, obj.pk): obj for obj in objects}
                by_model: dict[type, list] = {}
                for obj in objects:
                    indexed = obj.get_indexed_instance()
                    if indexed is not None:
                        by_model.setdefault(indexed._meta.model, []).append(indexed)
                for name, backend in backends:
                    for indexed_model, indexed in by_model.items():
                        _add_bulk(name, backend, indexed_model, indexed)
        return fetched

    def _update_references(self, fetched: dict) -> None:
        for model, ids in self.referenced.items():
            if not ReferenceIndex.is_indexed(model):
                # An inline child: Wagtail's task indexes the page (or snippet) it is part of.
                for pk in sorted(ids):
                    update_reference_index_task.enqueue(
                        model._meta.app_label, model._meta.model_name, str(pk)
                    )
                continue
            for chunk in _chunks(ids):
                missing = [pk for pk in chunk if (model, pk) not in fetched]
                fetched |= {
                    (model, obj.pk): obj
                    for obj in model.objects.filter(pk__in=missing).prefetch_related(
                        *_cluster_relations(model)
                    )
                }
                for pk in chunk:
                    if (model, pk) in fetched:
                        ReferenceIndex.create_or_update_for_object(fetched[model, pk])


def _add_bulk(name, backend, model, objects) -> None:
    try:
        backend.add_bulk(model, objects)
    except Exception:
        # As Wagtail does for one object: a backend that is an outside service (not the
        # database) may be down without failing the import; a rebuild catches it up.
        logger.exception("Could not add %d %s to search backend %s", len(objects), model, name)
        if not backend.catch_indexing_errors:
            raise


def current() -> DeferredIndexing | None:
    """The deferral in force in this thread, if any."""
    return getattr(_state, "deferred", None)


@contextmanager
def deferred_indexing():
    """Index what the block saves and publishes once, in bulk, when it ends. Nested
    blocks share the outermost one's pass."""
    outer = current()
    if outer is not None:
        yield outer
        return
    deferred = _state.deferred = DeferredIndexing()
    try:
        with disable_reference_index_auto_update():
            yield deferred
    finally:
        del _state.deferred
    deferred.index()


def _cluster_relations(model) -> list[str]:
    """A page's inline children and many-to-many fields: what indexing reads of it, one
    query per chunk rather than per object."""
    if not issubclass(model, ClusterableModel):
        return []
    return [
        *(relation.get_accessor_name() for relation in get_all_child_relations(model)),
        *(field.name for field in get_all_child_m2m_relations(model)),
    ]


def _chunks(ids):
    ids = sorted(ids)
    for start in range(0, len(ids), BATCH):
        yield ids[start : start + BATCH]
