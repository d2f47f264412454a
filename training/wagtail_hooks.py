"""Client managers follow go-live readiness in the admin."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from portal.deletion import refuse_deleting_records
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


@hooks.register("before_delete_page")
def keep_taken_courses(request, page):
    """Progress and quiz attempts are records: a course agents took is unpublished."""
    return refuse_deleting_records(
        request,
        page,
        CourseVersion.objects.all(),
        "course",
        _("Agents have taken this course and their records are kept: unpublish it instead."),
    )
