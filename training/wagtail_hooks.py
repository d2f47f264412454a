"""Client managers follow go-live readiness in the admin."""

from django.utils.translation import gettext_lazy as _

from portal.deletion import keep_pages_with
from portal.staff import register_client_pages

from .manager_views import Readiness
from .models import CourseVersion

# Vendor-side people follow their agents in the portal.
register_client_pages(
    [Readiness.admin_path("readiness/", "training_admin_readiness", "training:readiness")],
    menu_label=_("Go-live readiness"),
    icon="success",
    order=260,
)


# Progress and quiz attempts are records: a course agents took is unpublished.
keep_pages_with(
    CourseVersion.objects.all,
    "course",
    _("Agents have taken this course and their records are kept: unpublish it instead."),
)
