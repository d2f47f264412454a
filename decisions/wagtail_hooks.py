"""Client staff follow every vendor's decisions in the admin: the portal's report; a
policy agents decided under is kept."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from portal.deletion import refuse_deleting_records
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


@hooks.register("before_delete_page")
def keep_decided_policies(request, page):
    """A decision attests the policy it relied on: that policy is unpublished, not deleted."""
    return refuse_deleting_records(
        request,
        page,
        # Any vendor's decision keeps the page, whoever deletes it.
        Decision.objects.unscoped(),
        "policy",
        KEPT_POLICY,
    )
