"""Client managers follow go-live readiness in the admin."""

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from portal.staff import ClientStaffMenuItem, client_staff_only

from . import manager_views
from .models import CoursePage, CourseVersion


def _readiness_in_admin(request):
    return manager_views.readiness_view(request, "training/admin/readiness.html")


@hooks.register("register_admin_urls")
def readiness_urls():
    # Vendor-side people follow their agents in the portal.
    view = client_staff_only(_readiness_in_admin, "training:readiness")
    return [path("readiness/", view, name="training_admin_readiness")]


@hooks.register("register_admin_menu_item")
def readiness_menu_item():
    return ClientStaffMenuItem(
        _("Go-live readiness"),
        reverse("training_admin_readiness"),
        icon_name="success",
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
