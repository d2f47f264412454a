from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeedbackConfig(AppConfig):
    name = "feedback"
    verbose_name = _("Feedback")

    def ready(self):
        from portal.organisation.roles import CLIENT_ROLES, grant

        from . import measures, records  # noqa: F401 - the KPI board's measure, records

        # Every client role reviews feedback; nobody adds or deletes it in the admin:
        # agents raise it, and it is a record of what they said.
        for role in CLIENT_ROLES:
            grant(role, "feedback.view_feedbackitem", "feedback.change_feedbackitem")
