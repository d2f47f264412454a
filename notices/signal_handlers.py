from django.dispatch import receiver
from wagtail.signals import page_published

from .models import ChangeNoticePage
from .versions import record_publish


@receiver(page_published, sender=ChangeNoticePage)
def notice_published(sender, instance, revision, **kwargs):
    record_publish(instance, revision, user=getattr(revision, "user", None))
