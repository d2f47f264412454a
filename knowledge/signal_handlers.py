"""Knowledge's signal handlers: the editorial workflow after migrate, and verification
when a page is published."""

from django.db.models.signals import post_migrate
from django.dispatch import receiver
from wagtail.signals import page_published

from .editorial import ensure_editorial_workflow
from .models import KnowledgePage
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
