from django.db.models.signals import post_migrate
from django.dispatch import receiver


@receiver(post_migrate, dispatch_uid="knowledge.ensure_editorial_workflow")
def ensure_workflow_after_migrate(sender, app_config=None, **kwargs):
    if app_config is not None and app_config.label == "knowledge":
        from .editorial import ensure_editorial_workflow

        ensure_editorial_workflow()
