"""The index follows what is live: publish indexes, unpublish and delete remove.

Inside ``deferred.deferred_indexing()`` publishing and saving only collect the page, and
the block's end indexes everything at once. For that, the page types that set
``search_auto_update = False`` have Wagtail's search backend kept up to date here
rather than by Wagtail's own receivers, which cannot be deferred.
"""

from django.db.models.signals import post_delete, post_migrate, post_save, pre_delete
from django.dispatch import receiver
from modelsearch import index as wagtail_search
from modelsearch.tasks import insert_or_update_object_task
from wagtail.models import Page, ReferenceIndex
from wagtail.signals import page_published, page_unpublished

from .deferred import current
from .indexing import ANALYSIS, index_page, is_indexed_type, rebuild, unindex_page
from .models import Corpus


@receiver(page_published, dispatch_uid="searchindex.index_on_publish")
def index_on_publish(sender, instance, **kwargs):
    if not is_indexed_type(instance):
        return
    if (deferred := current()) is not None:
        deferred.published(instance.pk)
        return
    # The row, not the instance: when a revision is only scheduled, the instance carries
    # the future content while the live page is still the old one.
    page = Page.objects.filter(pk=instance.pk).specific().first()
    if page is not None:
        index_page(page)


@receiver(page_unpublished, dispatch_uid="searchindex.unindex_on_unpublish")
def unindex_on_unpublish(sender, instance, **kwargs):
    unindex_page(instance.pk)


@receiver(pre_delete, dispatch_uid="searchindex.unindex_on_delete")
def unindex_on_delete(sender, instance, **kwargs):
    if isinstance(instance, Page):
        unindex_page(instance.pk)


@receiver(post_save, dispatch_uid="searchindex.collect_for_references")
def collect_for_references(sender, instance, raw=False, **kwargs):
    """Inside a deferral Wagtail's reference index is switched off; what it would have
    indexed is collected for the bulk pass."""
    if raw or (deferred := current()) is None:
        return
    if sender in ReferenceIndex.tracked_models:
        deferred.saved_for_references(instance)


def update_wagtail_search(sender, instance, raw=False, **kwargs):
    """Wagtail's own receiver (``modelsearch.signal_handlers``), unless deferred."""
    if raw:
        return
    if (deferred := current()) is not None:
        deferred.saved_for_search(instance)
        return
    insert_or_update_object_task.enqueue(
        instance._meta.app_label, instance._meta.model_name, str(instance.pk)
    )


def remove_from_wagtail_search(sender, instance, **kwargs):
    wagtail_search.remove_object(instance)


for _model in wagtail_search.get_indexed_models():
    if not getattr(_model, "search_auto_update", True):
        post_save.connect(update_wagtail_search, sender=_model)
        post_delete.connect(remove_from_wagtail_search, sender=_model)


@receiver(post_migrate, dispatch_uid="searchindex.build_after_migrate")
def build_after_migrate(sender, app_config=None, **kwargs):
    """A database that had pages before the index existed, or whose index an older
    analysis wrote, gets them indexed once."""
    if app_config is not None and app_config.label == "searchindex":
        corpus = Corpus.objects.filter(pk=1).first()
        if corpus is None or corpus.analysis != ANALYSIS:
            rebuild()
