"""Knowledge's signal handlers: the editorial workflow after migrate, verification when a
page is published, and Elasticsearch's documents kept in step with the live site."""

from django.db import transaction
from django.db.models.signals import post_migrate, pre_delete
from django.dispatch import receiver
from wagtail.models import Page
from wagtail.signals import page_published, page_unpublished, post_page_move

from portal.queueing import queue

from .editorial import ensure_editorial_workflow
from .kinds import KINDS, is_searched
from .models import KnowledgePage
from .ranking import uses_elasticsearch
from .tasks import sync_search_documents
from .verification import record_publish

#: Pages per sync task: a moved section's whole subtree in a few tasks, not one per page.
SYNC_CHUNK = 500


@receiver(post_migrate, dispatch_uid="knowledge.ensure_editorial_workflow")
def ensure_workflow_after_migrate(sender, app_config=None, **kwargs):
    if app_config is not None and app_config.label == "knowledge":
        ensure_editorial_workflow()


@receiver(page_published, dispatch_uid="knowledge.verify_on_publish")
def verify_on_publish(sender, instance, revision, **kwargs):
    """Publishing a knowledge page verifies it. Wagtail also sends this signal when a
    first publish is only scheduled: the page is verified when it goes live."""
    if isinstance(instance, KnowledgePage) and instance.live:
        record_publish(instance, revision)


def sync_after_commit(page_ids) -> None:
    """Queue the Elasticsearch documents of ``page_ids`` to be brought in step once the
    change is committed (the task reads the pages then; a rolled-back change queues
    nothing). A broker that is down fails nothing: ``search_reindex`` catches up."""
    page_ids = sorted(set(page_ids))
    if not uses_elasticsearch() or not page_ids:
        return

    def hand_over():
        for start in range(0, len(page_ids), SYNC_CHUNK):
            chunk = page_ids[start : start + SYNC_CHUNK]
            queue(sync_search_documents, chunk, catches_up="manage.py search_reindex")

    transaction.on_commit(hand_over)


# Audiences are not in the documents (``knowledge.elastic.query`` reads them when
# searching), so changing one needs nothing here.
@receiver(page_published, dispatch_uid="knowledge.elastic_on_publish")
def elastic_on_publish(sender, instance, **kwargs):
    if is_searched(instance):
        sync_after_commit([instance.pk])


@receiver(page_unpublished, dispatch_uid="knowledge.elastic_on_unpublish")
def elastic_on_unpublish(sender, instance, **kwargs):
    if is_searched(instance):
        sync_after_commit([instance.pk])


@receiver(pre_delete, dispatch_uid="knowledge.elastic_on_delete")
def elastic_on_delete(sender, instance, **kwargs):
    if isinstance(instance, Page) and is_searched(instance.specific_class or Page):
        sync_after_commit([instance.pk])


@receiver(post_page_move, dispatch_uid="knowledge.elastic_on_move")
def elastic_on_move(sender, instance, **kwargs):
    """A move (or a reorder among siblings) changes the tree path of the page and
    everything below it, which decides whose audiences apply to them."""
    if uses_elasticsearch():
        moved = Page.objects.descendant_of(instance, inclusive=True).type(*KINDS.values())
        sync_after_commit(moved.values_list("pk", flat=True))
