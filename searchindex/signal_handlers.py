"""The index follows what is live: publish indexes, unpublish and delete remove."""

from django.db.models.signals import post_migrate, pre_delete
from django.dispatch import receiver
from wagtail.models import Page
from wagtail.signals import page_published, page_unpublished

from .indexing import ANALYSIS, index_page, is_indexed_type, rebuild, unindex_page
from .models import Corpus


@receiver(page_published, dispatch_uid="searchindex.index_on_publish")
def index_on_publish(sender, instance, **kwargs):
    if not is_indexed_type(instance):
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


@receiver(post_migrate, dispatch_uid="searchindex.build_after_migrate")
def build_after_migrate(sender, app_config=None, **kwargs):
    """A database that had pages before the index existed, or whose index an older
    analysis wrote, gets them indexed once."""
    if app_config is not None and app_config.label == "searchindex":
        corpus = Corpus.objects.filter(pk=1).first()
        if corpus is None or corpus.analysis != ANALYSIS:
            rebuild()
