"""Courses, lessons, quizzes and go-live readiness."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrainingConfig(AppConfig):
    name = "training"
    verbose_name = _("Training")

    def ready(self):
        from portal.audit.chain import register_verifier
        from portal.audit.guards import register_guarded_table

        from . import audience, signal_handlers  # noqa: F401 - the page rule, the signals
        from .signing import verify_sign_offs

        register_verifier(verify_sign_offs)
        register_guarded_table("training_signoff")
