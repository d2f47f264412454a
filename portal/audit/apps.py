from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "portal.audit"
    label = "audit"
    verbose_name = _("Audit trail")

    def ready(self):
        # Django: an app imports its models and signal modules once the registry is ready.
        from .guards import register_guarded_table

        register_guarded_table("audit_auditrecord")
        register_guarded_table("audit_chainentry")
