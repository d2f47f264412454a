from django.dispatch import receiver
from wagtail.signals import page_published

from .models import ChangeNoticePage
from .versions import record_publish


@receiver(page_published, sender=ChangeNoticePage)
def notice_published(sender, instance, revision, **kwargs):
    # Wagtail sends this signal when a publish is merely scheduled too; the version is
    # recorded when the page really goes live (from the beat's publish_scheduled).
    if not instance.live:
        return
    record_publish(instance, revision, user=getattr(revision, "user", None))
