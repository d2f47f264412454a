"""Courses, lessons, quizzes and go-live readiness."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrainingConfig(AppConfig):
    name = "training"
    verbose_name = _("Training")

    def ready(self):
        # Django: an app imports its models and signal modules once the registry is ready.
        from portal.audit.chain import register_attested

        from . import audience, measures, records, signal_handlers  # noqa: F401 - rule, measures, records, signals
        from .models import SignOff

        register_attested(SignOff, "sign-off")
