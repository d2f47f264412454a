from django.db.models.signals import post_save
from django.dispatch import receiver
from django.utils import timezone
from wagtail.models import Revision
from wagtail.signals import page_published

from . import changes
from .models import Change, ChangeNoticePage
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


@receiver(post_save, sender=Revision)
def revision_unscheduled(sender, instance, **kwargs):
    """Wagtail's "cancel scheduled publish" (or ours) clears a revision's schedule: a
    change waiting on that revision is withdrawn, so it can never take effect later."""
    if instance.approved_go_live_at is None:
        Change.objects.filter(
            revision=instance, took_effect_at__isnull=True, withdrawn_at__isnull=True
        ).update(withdrawn_at=timezone.now())
