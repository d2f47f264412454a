"""Client staff follow every vendor's decisions in the admin: the portal's report."""

from django.utils.translation import gettext_lazy as _

from portal.staff import register_client_pages

from .views import DecisionReport

register_client_pages(
    [
        # Its export links lead to the portal's export, which serves client staff too.
        DecisionReport.admin_path("decisions/", "decisions_admin_report", "decisions:report"),
    ],
    menu_label=_("Decisions"),
    icon="tasks",
    order=260,
)
