from django.db.models.signals import post_migrate
from django.dispatch import receiver

from .models import ensure_channels
from .roles import ensure_content_permissions, ensure_roles


@receiver(post_migrate, dispatch_uid="organisation.ensure_reference_data")
def ensure_reference_data(sender, app_config=None, **kwargs):
    """Roles and channels exist after every migrate and every test-database flush."""
    if app_config is not None and app_config.label == "organisation":
        ensure_roles()
        ensure_content_permissions()
        ensure_channels()
