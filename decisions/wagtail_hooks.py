"""Client staff follow every vendor's decisions in the admin: the portal's report; a
policy agents decided under is kept."""

from django.utils.translation import gettext_lazy as _

from portal.deletion import keep_pages_with
from portal.staff import register_client_pages

from .models import Decision
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


KEPT_POLICY = _(
    "Agents recorded decisions under this policy, kept as records: unpublish it instead."
)


# A decision attests the policy it relied on: that policy is unpublished, not deleted.
keep_pages_with(Decision.objects.unscoped, "policy", KEPT_POLICY)
