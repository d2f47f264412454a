from django.dispatch import receiver
from wagtail.signals import page_published

from . import changes
from .models import ChangeNoticePage
from .versions import record_publish


@receiver(page_published, sender=ChangeNoticePage)
def notice_published(sender, instance, revision, **kwargs):
    # Wagtail sends this signal when a publish is merely scheduled too; the version is
    # recorded when the page really goes live (from the beat's publish_scheduled).
    if not instance.live:
        return
    record_publish(instance, revision, user=getattr(revision, "user", None))


@receiver(page_published)
def page_went_live(sender, instance, revision, **kwargs):
    """Any page: its scheduled change took effect, or another revision overtook it."""
    if instance.live:
        changes.record_publish(instance, revision)
