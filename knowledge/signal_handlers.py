"""Knowledge's signal handlers: the editorial workflow after migrate, verification when a
page is published, and Elasticsearch's documents kept in step with the live site."""

from django.db.models.signals import post_migrate, pre_delete
from django.dispatch import receiver
from wagtail.models import Page
from wagtail.signals import page_published, page_unpublished, post_page_move

from .editorial import ensure_editorial_workflow
from .elastic.sync import sync_after_commit
from .kinds import KINDS, is_searched
from .models import KnowledgePage
from .ranking import uses_elasticsearch
from .verification import record_publish


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


# Once per page row: Django also sends it for each specific row of the page's class.
@receiver(pre_delete, sender=Page, dispatch_uid="knowledge.elastic_on_delete")
def elastic_on_delete(sender, instance, **kwargs):
    if is_searched(instance.specific_class or Page):
        sync_after_commit([instance.pk])


@receiver(post_page_move, dispatch_uid="knowledge.elastic_on_move")
def elastic_on_move(sender, instance, parent_page_before, parent_page_after, **kwargs):
    """A move to another parent changes the ancestors of the page and of everything
    below it, which decide whose audiences apply to them. Sorting among siblings
    changes tree paths only, which the documents do not hold."""
    if uses_elasticsearch() and parent_page_before.pk != parent_page_after.pk:
        moved = Page.objects.descendant_of(instance, inclusive=True).type(*KINDS.values())
        sync_after_commit(moved.values_list("pk", flat=True))
