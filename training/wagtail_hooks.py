"""Client managers follow go-live readiness in the admin."""

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from portal.staff import register_client_pages

from .manager_views import Readiness
from .models import CoursePage, CourseVersion

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
    specific = page.specific
    if isinstance(specific, CoursePage) and CourseVersion.objects.filter(course=specific).exists():
        messages.error(
            request,
            _("Agents have taken this course and their records are kept: unpublish it instead."),
        )
        return redirect("wagtailadmin_pages:edit", page.pk)
    return None
