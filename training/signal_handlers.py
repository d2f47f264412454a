from django.dispatch import receiver
from wagtail.signals import page_published

from .models import CoursePage
from .versions import record_publish


@receiver(page_published, sender=CoursePage)
def course_published(sender, instance, revision, **kwargs):
    # Sent for a merely scheduled publish too: the version counts when the page is live.
    if not instance.live:
        return
    record_publish(instance, revision, user=getattr(revision, "user", None))
