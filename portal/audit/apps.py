from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

from .guards import register_guarded_table
from .signal_handlers import grant_app_role_after_migrate


class AuditConfig(AppConfig):
    name = "portal.audit"
    label = "audit"
    verbose_name = _("Audit trail")

    def ready(self):
        register_guarded_table("audit_auditrecord")
        register_guarded_table("audit_chainentry")
        # Roles and grants exist on PostgreSQL only. Sent for this app alone, the signal
        # comes once per migrate, after every app's migrations.
        if any(connection.vendor == "postgresql" for connection in connections.all()):
            post_migrate.connect(
                grant_app_role_after_migrate, sender=self, dispatch_uid="audit.grant_app_role"
            )
